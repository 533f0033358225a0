"""The Celery application: `celery -A tracker worker` / `celery -A tracker beat`.

Configuration comes from Django settings (the ``CELERY_`` namespace), which read the
environment: JSON only, ``acks_late`` with ``task_reject_on_worker_lost`` (a task whose worker
dies is delivered again: every task is idempotent), one task prefetched at a time, and the beat
schedule (``CELERY_BEAT_SCHEDULE``: the reminders' tick) with a scheduler that records each tick.
The tasks live in ``documents/tasks.py``. Without ``CELERY_BROKER_URL`` tasks run eagerly in the
calling process, so the demo (`make run`) needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
