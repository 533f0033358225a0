"""Scheduled jobs of the API (``CELERY_BEAT_SCHEDULE``)."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from api.dumps.export import ExportError, dump_build

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),  # the database away for a moment
    retry_backoff=60,
    max_retries=3,
)
def public_dump_rebuild() -> str | None:
    """Rebuild the public dump served at /api/v1/dumps/ (beat: ``DUMPS_REBUILD_CRON``).

    Safe to run twice: a run while another is writing does nothing (one export of an audience
    at a time), and a run after it publishes a fresh dump. A run that dies leaves the served
    dump as it was; its temporary folder goes at the next run."""
    try:
        dump = dump_build(audience="public")
    except ExportError as error:
        logger.info("public dump not rebuilt: %s", error)
        return None
    logger.info("public dump %s published", dump.manifest["id"])
    return dump.manifest["id"]
