"""The outbox: stored before sending, sent once, retried with backoff on transient failures,
failed (for a clerk to retry) on permanent ones. A real SMTP server on loopback is the outside
world."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from documents.models import Notification, NotificationStatus, ReminderRule
from documents.services import meeting_create
from documents.services.outbox import (
    NOT_DUE,
    notification_send,
    notifications_retry,
    notifications_send_due,
)
from documents.services.reminders import reminders_evaluate
from tests.documents.reminders.conftest import at, follow
from tests.smtp import Inbox, free_port, smtp_settings


@pytest.fixture
def inbox():
    server = Inbox().start()
    yield server
    server.stop()


@pytest.fixture
def due(people, register, clock):
    """Two meeting reminders in the outbox, due at 13 March 2024, 08:00."""
    meeting_create(body=register.body, starts_at=at("2024-03-20 10:00"))
    follow(people.delegate, body=register.body)
    follow(people.observer, body=register.body)
    reminders_evaluate(now=clock("2024-03-13 08:00"))
    return list(Notification.objects.order_by("pk"))


def test_sent_over_smtp_with_both_parts_and_one_click_unsubscribe(settings, inbox, due, people):
    smtp_settings(settings, inbox.port)

    assert notifications_send_due() == {NotificationStatus.SENT: 2}

    (message,) = inbox.to(people.delegate.email)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # folded: the URL is long
    assert unsubscribe.startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert unsubscribe.endswith("/>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith(f"<notification-{due[0].pk}-")
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "Why you get this e-mail: you follow body LEWP (Police)." in parts["text/plain"]
    assert "<strong>Law Enforcement Working Party (Police)</strong>" in parts["text/html"]
    sent = Notification.objects.get(pk=due[0].pk)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert sent.sent_at == at("2024-03-13 08:00")


def test_smtp_away_keeps_it_pending_and_backs_off_then_sends_once(settings, due, clock, people):
    port = free_port()
    smtp_settings(settings, port)  # nothing listens there yet

    first = notifications_send_due()
    clock("2024-03-13 08:00:59")
    early = notifications_send_due()
    clock("2024-03-13 08:01:00")
    second = notifications_send_due()
    server = Inbox(port=port).start()
    try:
        clock("2024-03-13 08:02:59")
        not_yet = notifications_send_due()
        clock("2024-03-13 08:03:00")  # 60 s after the first failure, then 120 s after the second
        third = notifications_send_due()
        fourth = notifications_send_due()
    finally:
        server.stop()

    assert first == second == {NotificationStatus.PENDING: 2}
    assert early == not_yet == fourth == {}
    assert third == {NotificationStatus.SENT: 2}
    assert sorted(m["To"] for m in server.messages) == sorted(
        [people.delegate.email, people.observer.email]
    )
    notification = Notification.objects.get(pk=due[0].pk)
    assert (notification.status, notification.attempts) == ("sent", 3)


def test_transient_failures_record_the_error_and_the_next_attempt(settings, due):
    smtp_settings(settings, free_port())

    notification_send(notification_id=due[0].pk)

    notification = Notification.objects.get(pk=due[0].pk)
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert notification.last_error.startswith("ConnectionRefusedError")
    assert notification.next_attempt_at == at("2024-03-13 08:01")


def test_after_the_last_attempt_it_fails_for_a_clerk_to_retry(settings, due, clock):
    settings.REMINDERS_MAX_ATTEMPTS = 3
    port = free_port()
    smtp_settings(settings, port)
    for moment in ("08:00", "08:01", "08:03"):
        clock(f"2024-03-13 {moment}")
        notification_send(notification_id=due[0].pk)
    failed = Notification.objects.get(pk=due[0].pk)

    server = Inbox(port=port).start()
    try:
        with transaction.atomic():
            notifications_retry(notifications=[failed])
        retried = Notification.objects.get(pk=due[0].pk)
        notification_send(notification_id=due[0].pk)
    finally:
        server.stop()

    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 3, None)
    assert (retried.status, retried.next_attempt_at) == ("pending", at("2024-03-13 08:03"))
    assert Notification.objects.get(pk=due[0].pk).status == "sent"
    assert len(server.messages) == 1


def test_a_refused_recipient_fails_at_once(settings, due, people):
    server = Inbox(refuse={people.delegate.email}).start()
    smtp_settings(settings, server.port)
    try:
        outcomes = notifications_send_due()
    finally:
        server.stop()

    assert outcomes == {NotificationStatus.FAILED: 1, NotificationStatus.SENT: 1}
    failed = Notification.objects.get(recipient=people.delegate)
    assert "550" in failed.last_error
    assert failed.attempts == 1


def test_evaluating_twice_stores_nothing_more(due, clock):
    assert reminders_evaluate(now=clock("2024-03-13 08:00")) == 0
    assert reminders_evaluate(now=clock("2024-03-13 09:00")) == 0
    assert Notification.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_notification_being_sent_elsewhere_is_skipped_not_sent_twice(
    settings, people, register, clock, inbox
):
    """GIVEN a notification whose row another connection holds (a worker sending it)
    WHEN this one tries to send it THEN it skips it (SKIP LOCKED) and sends nothing."""
    smtp_settings(settings, inbox.port)
    meeting_create(body=register.body, starts_at=at("2024-03-20 10:00"))
    follow(people.delegate, body=register.body)
    reminders_evaluate(now=clock("2024-03-13 08:00"))
    (notification,) = Notification.objects.all()
    locked, finish = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notification.pk)
                locked.set()
                finish.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        result = notification_send(notification_id=notification.pk)
    finally:
        finish.set()
        thread.join()
    after = notification_send(notification_id=notification.pk)

    assert result.status == NOT_DUE
    assert after.status == NotificationStatus.SENT
    assert len(inbox.messages) == 1
    assert notification_send(notification_id=notification.pk).status == NOT_DUE


def test_rules_and_keys_of_the_outbox(due):
    meeting = due[0]
    assert {n.rule for n in due} == {ReminderRule.MEETING}
    assert meeting.occurrence == "7d@2024-03-20T09:00:00Z"
    assert meeting.next_attempt_at == at("2024-03-13 08:00")
    assert meeting.event_at == at("2024-03-20 10:00")
    assert meeting.created_at == at("2024-03-13 08:00")
    assert datetime.timedelta(0) == meeting.next_attempt_at - meeting.created_at


def test_a_notification_that_cannot_be_rendered_fails_with_the_error(due, settings):
    """A bug (here: a template missing) fails the e-mail at once, with the error on record,
    instead of leaving it pending for every tick to try again."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "APP_DIRS": False, "OPTIONS": {"loaders": []}},
    ]

    result = notification_send(notification_id=due[0].pk)

    failed = Notification.objects.get(pk=due[0].pk)
    assert result.status == NotificationStatus.FAILED
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error.startswith("TemplateDoesNotExist")
