"""Rules of the reminders' tables that the database holds itself, whatever code writes to
them: each is tested by writing straight to the table (``bulk_create``, no model checks)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.models import (
    Heartbeat,
    LeadTime,
    Notification,
    ReleaseReview,
    ReminderOptOut,
    Subscription,
)
from tests.factories import BodyFactory, DocumentFactory, ProcedureFactory, UserFactory


def refused(model, **fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create([model(**fields)])


def stored(model, **fields):
    with transaction.atomic():
        return model.objects.bulk_create([model(**fields)])[0]


@pytest.fixture
def user(db):
    return UserFactory()


def notification(user, **fields) -> dict:
    values = {
        "rule": "meeting", "object_id": 1, "occurrence": "7d@2024-03-20T09:00:00Z",
        "recipient": user, "status": "pending", "next_attempt_at": timezone.now(),
    }  # fmt: skip
    return {**values, **fields}


def test_a_notification_is_stored_once_per_rule_object_occurrence_and_recipient(user):
    stored(Notification, **notification(user))
    refused(Notification, **notification(user))
    stored(Notification, **notification(user, occurrence="1d@2024-03-20T09:00:00Z"))
    stored(Notification, **notification(user, object_id=2))
    stored(Notification, **notification(user, rule="meeting-changed"))
    stored(Notification, **notification(UserFactory()))


@pytest.mark.parametrize(
    "fields",
    [
        {"rule": "birthday"},
        {"status": "lost"},
        {"object_id": -1},
        {"occurrence": ""},
        {"status": "sent"},  # sent, with no time
        {"sent_at": timezone.now()},  # a time, not sent
        {"next_attempt_at": None},  # pending, with no next attempt
        {"status": "skipped"},  # skipped, with no reason
        {"attempts": -1},
    ],
)
def test_impossible_notifications_are_refused(user, fields):
    refused(Notification, **notification(user, **fields))


def test_possible_notifications_are_stored(user):
    now = timezone.now()
    stored(Notification, **notification(user, status="sent", sent_at=now, next_attempt_at=None))
    stored(Notification, **notification(user, object_id=2, status="skipped", reason="no e-mail"))
    stored(Notification, **notification(user, object_id=3, status="failed", next_attempt_at=None))


@pytest.mark.parametrize("days", [0, -1, 91])
def test_a_lead_time_is_at_least_one_day_and_at_most_ninety(db, days):
    refused(LeadTime, rule="meeting", days=days)


def test_lead_times_belong_to_rules_that_remind_ahead_once_each(db):
    LeadTime.objects.all().delete()
    stored(LeadTime, rule="comment-deadline", days=5)
    refused(LeadTime, rule="comment-deadline", days=5)
    refused(LeadTime, rule="digest", days=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "procedure"},  # no target
        {"kind": "procedure", "body": "body"},  # another kind's target
        {"kind": "body", "body": "body", "procedure": "procedure"},  # two targets
        {"kind": "filter", "filter_query": ""},
        {"kind": "filter", "filter_query": "series=WK", "body": "body"},
        {"kind": "meeting", "body": "body"},
    ],
)
def test_a_subscription_has_exactly_the_target_of_its_kind(user, fields):
    targets = {"body": BodyFactory(), "procedure": ProcedureFactory()}
    fields = {name: targets.get(value, value) for name, value in fields.items()}
    refused(Subscription, user=user, **fields)


def test_a_user_follows_a_thing_once_while_following_it(user):
    body = BodyFactory()
    first = stored(Subscription, user=user, kind="body", body=body)
    refused(Subscription, user=user, kind="body", body=body)
    stored(Subscription, user=UserFactory(), kind="body", body=body)
    stored(Subscription, user=user, kind="filter", filter_query="series=WK")
    refused(Subscription, user=user, kind="filter", filter_query="series=WK")
    Subscription.objects.filter(pk=first.pk).update(cancelled_at=timezone.now())
    stored(Subscription, user=user, kind="body", body=body)  # follows it again


def test_a_document_is_kept_limite_once_and_with_a_reason(user):
    document = DocumentFactory(distribution="LIMITE")
    refused(ReleaseReview, document=document, kept_by=user, reason=" \n ")
    stored(ReleaseReview, document=document, kept_by=user, reason="Art. 4(1)(a)")
    refused(ReleaseReview, document=document, kept_by=user, reason="again")


def test_opt_outs_are_of_rules_without_subscriptions_once_each(user):
    refused(ReminderOptOut, user=user, rule="meeting")
    stored(ReminderOptOut, user=user, rule="digest")
    refused(ReminderOptOut, user=user, rule="digest")
    stored(ReminderOptOut, user=user, rule="release-review")


def test_one_heartbeat_per_known_job(db):
    stored(Heartbeat, name="beat", at=timezone.now())
    refused(Heartbeat, name="beat", at=timezone.now())
    refused(Heartbeat, name="cron", at=timezone.now())
