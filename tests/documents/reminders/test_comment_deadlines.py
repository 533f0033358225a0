"""Comment-deadline reminders: 3 and 1 days before a document's ``comments_due``, to those
who follow what it is linked to (or a saved filter matching it) and may read it in full."""

import datetime

import pytest

from documents.models import Distribution, Document, Notification
from documents.services import document_update
from documents.services.subscriptions import subscription_cancel
from tests.documents.reminders.conftest import follow, names_of, whole
from tests.factories import DocumentFactory

DUE = datetime.date(2024, 2, 1)  # a Thursday


@pytest.fixture
def due(register):
    """Comments are due on 1 February 2024 on the LIMITE and the public document."""
    for name in ("limite", "public"):
        Document.objects.filter(pk=register.documents[name].pk).update(comments_due=DUE)
    return register


def test_followers_who_may_read_it_are_reminded_3_and_1_days_before(people, due, run):
    follow(people.delegate, procedure=due.procedure.reference)
    limite = due.documents["limite"]

    assert run("2024-01-28 20:00") == []  # 4 days before
    three = run("2024-01-29 07:00")
    assert run("2024-01-30 07:00") == []
    one = run("2024-01-31 07:00")
    assert run("2024-02-01 07:00") + run("2024-02-02 07:00") == []

    assert sorted(m.subject for m in three) == [
        f"Comments on {due.documents['public'].cover_reference} due 1 February 2024 (in 3 days)",
        f"Comments on {limite.cover_reference} due 1 February 2024 (in 3 days)",
    ]
    assert sorted(m.subject for m in one) == [
        f"Comments on {due.documents['public'].cover_reference} due 1 February 2024 (tomorrow)",
        f"Comments on {limite.cover_reference} due 1 February 2024 (tomorrow)",
    ]
    limite_mail = next(m for m in three if limite.cover_reference in m.subject)
    assert limite.subject in limite_mail.body
    assert f"Procedure {due.procedure.reference}" in limite_mail.body
    assert "you follow procedure 2023/0452(COD)" in limite_mail.body


def test_an_observer_is_never_reminded_of_a_limite_document(people, due, run):
    follow(people.observer, procedure=due.procedure.reference)

    sent = run("2024-01-29 07:00")

    public = due.documents["public"]
    assert [m.subject for m in sent] == [
        f"Comments on {public.cover_reference} due 1 February 2024 (in 3 days)"
    ]
    for name in ("limite", "wk", "secret"):
        assert not any(text in whole(sent[0]) for text in names_of(due.documents[name])), name
    assert not Notification.objects.filter(object_id=due.documents["limite"].pk).exists()


@pytest.mark.parametrize(
    "target",
    [
        {"body": "body"},
        {"subject_code": "JAI"},
        {"filter_query": "distribution=LIMITE&year=2024"},
    ],
)
def test_every_kind_of_follow_leads_to_the_reminder(people, due, run, target):
    if target.get("body"):
        target = {"body": due.body}
    follow(people.delegate, **target)

    sent = run("2024-01-29 07:00")

    limite = due.documents["limite"]
    assert f"Comments on {limite.cover_reference} due 1 February 2024 (in 3 days)" in [
        m.subject for m in sent
    ]


def test_following_through_several_subscriptions_sends_one_email_saying_why(people, due, run):
    follow(people.delegate, procedure=due.procedure.reference)
    follow(people.delegate, subject_code="JAI")

    sent = run("2024-01-29 07:00")

    limite = due.documents["limite"]
    (mail,) = [m for m in sent if limite.cover_reference in m.subject]
    assert "you follow procedure 2023/0452(COD); you follow subject code JAI" in mail.body


def test_a_moved_deadline_is_reminded_by_its_new_date_only(people, due, clock, run):
    from documents.services.reminders import reminders_evaluate

    follow(people.delegate, procedure=due.procedure.reference)
    limite = due.documents["limite"]
    reminders_evaluate(now=clock("2024-01-29 07:00"))
    document_update(document=limite, comments_due=datetime.date(2024, 2, 8))

    now = [m.subject for m in run("2024-01-29 07:05")]
    later = [m.subject for m in run("2024-02-05 07:00")]

    assert not any(limite.cover_reference in subject for subject in now)
    assert Notification.objects.get(object_id=limite.pk, occurrence="3d@2024-02-01").reason == (
        "the deadline for comments changed since"
    )
    assert f"Comments on {limite.cover_reference} due 8 February 2024 (in 3 days)" in later


def test_unsubscribed_before_sending_gets_nothing(people, due, clock, run):
    from documents.services.reminders import reminders_evaluate

    mine = follow(people.delegate, procedure=due.procedure.reference)
    reminders_evaluate(now=clock("2024-01-29 07:00"))
    subscription_cancel(subscription=mine)

    assert run("2024-01-29 07:01") == []
    assert set(Notification.objects.values_list("status", flat=True)) == {"skipped"}


def test_a_document_only_listed_to_the_follower_is_not_reminded(people, register, run):
    """A WK-free LIMITE document the observer's filter matches: listed, not readable."""
    DocumentFactory(
        subject="Another limite note", distribution=Distribution.LIMITE, comments_due=DUE
    )
    follow(people.observer, filter_query="year=2024")

    assert run("2024-01-29 07:00") == []
