"""The Celery application: `celery -A tracker worker` / `celery -A tracker beat`.

Configuration comes from Django settings (the ``CELERY_`` namespace), which read the
environment. Without ``CELERY_BROKER_URL`` tasks run eagerly in the calling process, so the
demo (`make run`) needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
