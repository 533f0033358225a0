"""Project configuration: settings, URLs, the Celery app. No domain logic lives here."""

from tracker.celery import app as celery_app

__all__ = ("celery_app",)
