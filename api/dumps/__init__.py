"""Dumps of the register: a bulk start for mirrors (``manage.py export_register``).

``store`` keeps them on disk (publishing one atomically, finding the latest); ``export`` takes
the snapshot and writes it. The split keeps ``store`` free of the API's views, which ``export``
reads the lists through (and the dumps' views import ``store``).
"""
