"""``make bench``: a synthetic register at scale, measured against its floor (issue 8).

Modules: ``config`` (the environment), ``database`` (the data set's databases and
fingerprint), ``world`` (the story of the register) and ``rows`` (one function per table),
``loader`` (COPY), ``build`` (the build stage), ``operations`` (what is measured), ``client``
(the measuring process), ``run`` (gunicorn, the reminder tick, registrations), ``results``
(JSON and table).
"""

# Part of the data set's fingerprint: change it whenever bench/world.py or bench/rows.py
# change what a build writes, so that existing data sets are rebuilt.
GENERATOR_VERSION = "3"
