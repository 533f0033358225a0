"""Sending the outbox: claim one notification, render it for its recipient, send, mark sent.

Exactly once, as far as SMTP allows. A notification is claimed with ``SELECT ... FOR UPDATE
SKIP LOCKED`` and its row stays locked while it is sent: a second worker (or a second task for
the same notification) skips it, and finds it sent once the first commits.

The one window for a duplicate: SMTP has accepted the message and the ``UPDATE`` marking it
sent has not committed yet (the worker is killed, or the database goes away, between the two).
The row is then still pending and the message goes out again on the next attempt, with the same
``Message-ID``. The window is one UPDATE and a COMMIT wide; nothing happens in it that could
fail for other reasons. It is never widened the other way: marking a notification sent before
sending it could lose the message, and losing one is worse than sending one twice.
"""

import datetime
import logging
import smtplib
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from documents.models import Heartbeat, Notification, NotificationStatus
from documents.reminders.content import notice_for
from documents.reminders.email import email_build

logger = logging.getLogger(__name__)
NOT_DUE = "not-due"
_MAX_DELAY = datetime.timedelta(hours=6)


def retry_delay(attempts: int) -> datetime.timedelta:
    """After the ``attempts``-th failed attempt: the base delay, doubled each time, capped."""
    seconds = settings.REMINDERS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return min(datetime.timedelta(seconds=seconds), _MAX_DELAY)


def is_transient(error: BaseException) -> bool:
    """A failure that may pass by itself (the mail server away, busy, or a 4xx answer); the
    rest (5xx answers, a bug in rendering) will not, and is not retried by itself."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # refused, reset, unreachable, timed out


@dataclass(frozen=True)
class SendResult:
    status: str  # a NotificationStatus value, or NOT_DUE (someone else has it, or it is done)
    retry_in: float | None = None  # seconds until the next attempt, after a transient failure


def _close(notification: Notification, status: str, **fields) -> SendResult:
    notification.status = status
    notification.next_attempt_at = None
    for name, value in fields.items():
        setattr(notification, name, value)
    notification.save()
    return SendResult(status)


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _failed(notification: Notification, error: BaseException) -> SendResult:
    logger.warning("notification %s failed: %s", notification.pk, _described(error))
    return _close(notification, NotificationStatus.FAILED, last_error=_described(error))


@transaction.atomic
def notification_send(
    *, notification_id: int, as_of: datetime.datetime | None = None
) -> SendResult:
    """Send one notification if it is pending and due, and record what happened.

    Skipped (with the reason) when its recipient is inactive or has no e-mail address, or what
    it is about no longer calls for it (``notice_for``: judged as of ``as_of``, by default now;
    ``send_reminders --now`` replays a past moment). A transient failure keeps it pending with
    the error, the attempt count and the time of the next attempt (backing off); a permanent
    one, or the last attempt, marks it failed for a clerk to retry.
    """
    now = timezone.now()
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, status=NotificationStatus.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if notification is None:
        return SendResult(NOT_DUE)
    recipient = notification.recipient
    if not recipient.is_active:
        return _close(notification, NotificationStatus.SKIPPED, reason="the account is inactive")
    if not recipient.email:
        return _close(notification, NotificationStatus.SKIPPED, reason="no e-mail address")
    try:
        notice = notice_for(notification, now=as_of or now)
    except DatabaseError:
        raise  # the database is away: the task retries; nothing is recorded, nothing is lost
    except Exception as error:  # a bug: trying again by itself would not help
        notification.attempts += 1
        return _failed(notification, error)
    if isinstance(notice, str):
        return _close(notification, NotificationStatus.SKIPPED, reason=notice[:200])
    notification.attempts += 1
    try:
        email_build(notification=notification, notice=notice).send()
        # From here SMTP has the message: see the module's docstring for this window.
    except DatabaseError:
        raise
    except Exception as error:
        if is_transient(error) and notification.attempts < settings.REMINDERS_MAX_ATTEMPTS:
            delay = retry_delay(notification.attempts)
            notification.next_attempt_at = now + delay
            notification.last_error = _described(error)
            notification.save(update_fields=["attempts", "next_attempt_at", "last_error"])
            return SendResult(NotificationStatus.PENDING, retry_in=delay.total_seconds())
        return _failed(notification, error)
    return _close(notification, NotificationStatus.SENT, sent_at=timezone.now(), last_error="")


def notifications_due(*, limit: int = 1000) -> list[int]:
    """Ids of the pending notifications whose time has come, oldest first."""
    due = Notification.objects.filter(
        status=NotificationStatus.PENDING, next_attempt_at__lte=timezone.now()
    )
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def notifications_send_due(*, as_of: datetime.datetime | None = None) -> Counter:
    """Send every due notification here and now (``send_reminders``); counts the outcomes."""
    outcomes: Counter = Counter()
    for notification_id in notifications_due():
        outcomes[notification_send(notification_id=notification_id, as_of=as_of).status] += 1
    return outcomes


@transaction.atomic
def notifications_retry(*, notifications) -> list[int]:
    """A clerk's retry: failed notifications become pending and are handed to a worker now."""
    from documents.tasks import send_notification

    ids = list(
        Notification.objects.select_for_update()
        .filter(pk__in=[n.pk for n in notifications], status=NotificationStatus.FAILED)
        .values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, next_attempt_at=timezone.now()
    )
    for notification_id in ids:
        transaction.on_commit(lambda pk=notification_id: send_notification.delay(pk))
    return ids


def heartbeat_record(*, name: str, at: datetime.datetime | None = None) -> None:
    """Record that job ``name`` is alive (or, for the digest, how far it got): one upsert."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )
