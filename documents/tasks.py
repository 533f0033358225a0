"""Celery tasks of the reminders. Each takes ids and primitives, calls a service, and is safe to
run twice (the outbox's unique key and its row lock make the second run do nothing).

Beat sends ``tick_reminders`` every ``REMINDERS_TICK_SECONDS``: it evaluates every rule and
hands each due notification to ``send_notification``. Only transient errors are retried by
Celery, with backoff: the database away (``OperationalError``) and a mail server away or busy
(the outbox records the attempt and when to try again). Whatever Celery loses (a worker killed
with a task in hand), the outbox still has: the next tick, or a worker starting, sends it.
"""

import logging

from celery import shared_task
from celery.beat import PersistentScheduler
from celery.signals import task_postrun, worker_ready
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection
from django.utils import timezone

from documents.models import HeartbeatName
from documents.services.outbox import heartbeat_record, notification_send, notifications_due
from documents.services.reminders import reminders_evaluate

logger = logging.getLogger(__name__)
_DATABASE_RETRIES = 10


def _database_backoff(retries: int) -> int:
    """Seconds before retrying a task the database refused: 2, 4, 8 ... at most 10 minutes."""
    return min(2 ** (retries + 1), 600)


@shared_task(bind=True, max_retries=None)
def send_notification(self, notification_id: int) -> str:
    """Send one notification of the outbox (nothing if it is not pending and due)."""
    try:
        result = notification_send(notification_id=notification_id)
    except OperationalError as error:
        raise self.retry(
            exc=error, countdown=_database_backoff(self.request.retries),
            max_retries=_DATABASE_RETRIES,
        ) from error  # fmt: skip
    if result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in, max_retries=settings.REMINDERS_MAX_ATTEMPTS)
    return result.status


def _enqueue_due() -> int:
    due = notifications_due()
    for notification_id in due:
        send_notification.delay(notification_id)
    return len(due)


@shared_task(bind=True, max_retries=_DATABASE_RETRIES)
def tick_reminders(self) -> int:
    """Beat's tick: evaluate every rule now, then hand each due notification to a worker."""
    try:
        reminders_evaluate(now=timezone.now())
        return _enqueue_due()
    except OperationalError as error:
        raise self.retry(exc=error, countdown=_database_backoff(self.request.retries)) from error


@shared_task
def enqueue_due_notifications() -> int:
    """Hand every due notification to a worker (when a worker starts: what a killed worker had
    in hand goes out now, not at the next tick)."""
    return _enqueue_due()


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs) -> None:
    enqueue_due_notifications.delay()


@task_postrun.connect
def _on_task_done(sender=None, **kwargs) -> None:
    """Each finished job is the worker's heartbeat (read by /healthz/jobs and the admin)."""
    try:
        heartbeat_record(name=HeartbeatName.WORKER)
    except DatabaseError:
        logger.warning("could not record the worker's heartbeat", exc_info=True)


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler (``CELERY_BEAT_SCHEDULER``): the default one, which also records each
    reminders tick it has sent, so operators can tell that beat is alive."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        if entry.task == tick_reminders.name:
            try:
                heartbeat_record(name=HeartbeatName.BEAT)
            except DatabaseError:
                logger.warning("could not record beat's heartbeat", exc_info=True)
            finally:
                connection.close()  # beat runs for months: no connection kept between ticks
        return result
