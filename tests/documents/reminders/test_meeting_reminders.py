"""Meeting reminders: 7 and 1 days before (Brussels calendar days), to followers of the body,
naming only the documents each may read in full; moved and cancelled meetings are notified."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from documents.models import (
    LeadTime,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationStatus,
    ReminderRule,
)
from documents.services import agenda_item_add, meeting_create
from documents.services.subscriptions import subscription_cancel
from tests.documents.reminders.conftest import at, follow, names_of, whole


@pytest.fixture
def meeting(register):
    """LEWP (Police) on Wednesday 20 March 2024 at 10:00, every kind of document on its agenda."""
    meeting = meeting_create(
        body=register.body, starts_at=at("2024-03-20 10:00"), place="Justus Lipsius"
    )
    agenda_item_add(
        meeting=meeting, title="Exchange of views on detection orders",
        procedures=[register.procedure], documents=list(register.documents.values()),
    )  # fmt: skip
    return meeting


def to(messages, user) -> list:
    return [message for message in messages if message.to == [user.email]]


def test_followers_are_reminded_7_and_1_days_before(people, meeting, run):
    follow(people.delegate, body=meeting.body)

    assert run("2024-03-12 23:59") == []  # 8 days before
    week = run("2024-03-13 06:00")
    again = run("2024-03-13 18:00") + run("2024-03-18 12:00")
    day = run("2024-03-19 07:00")
    after = run("2024-03-19 07:05") + run("2024-03-20 09:59") + run("2024-03-21 08:00")

    assert [m.subject for m in week] == [
        "LEWP (Police): meeting on Wednesday 20 March 2024 (in 7 days)"
    ]
    assert [m.subject for m in day] == [
        "LEWP (Police): meeting on Wednesday 20 March 2024 (tomorrow)"
    ]
    assert again == after == []
    assert week[0].to == ["delegate@example.eu"]
    assert "Wednesday 20 March 2024, 10:00 (Brussels time)" in week[0].body
    assert "Place: Justus Lipsius" in week[0].body


def test_across_the_change_to_summer_time_days_are_brussels_calendar_days(people, register, run):
    """GIVEN a meeting at 00:30 on Monday 1 April 2024 (summer time since 31 March, 02:00)
    THEN its 7-day reminder goes out on 25 March (winter time) from midnight, and not at 23:30
    on 24 March, which is exactly 168 hours before and already 25 March in UTC+2... in UTC it
    is still 24 March 22:30: only Brussels calendar days give the answer written here."""
    meeting_create(body=register.body, starts_at=at("2024-04-01 00:30"))
    follow(people.delegate, body=register.body)

    assert run("2024-03-24 23:30") == []
    week = run("2024-03-25 00:05")
    day = run("2024-03-31 00:10")

    assert [m.subject for m in week] == [
        "LEWP (Police): meeting on Monday 1 April 2024 (in 7 days)"
    ]
    assert [m.subject for m in day] == ["LEWP (Police): meeting on Monday 1 April 2024 (tomorrow)"]
    assert "Monday 1 April 2024, 00:30 (Brussels time)" in week[0].body


def test_after_an_outage_only_the_nearest_reminder_goes_out(people, meeting, run):
    follow(people.delegate, body=meeting.body)

    sent = run("2024-03-19 15:00")  # beat was down for both the 7-day and the 1-day moments

    assert [m.subject for m in sent] == [
        "LEWP (Police): meeting on Wednesday 20 March 2024 (tomorrow)"
    ]


def test_clerks_lead_times_decide_the_days(people, meeting, run):
    LeadTime.objects.filter(rule=ReminderRule.MEETING).delete()
    LeadTime.objects.create(rule=ReminderRule.MEETING, days=2)
    follow(people.delegate, body=meeting.body)

    assert run("2024-03-13 08:00") == []
    assert len(run("2024-03-18 08:00")) == 1
    assert run("2024-03-19 08:00") == []


def test_the_agenda_names_only_what_each_recipient_may_read(people, register, meeting, run):
    """Hand-written from DOMAIN.md's table: a member state's delegate (not cleared) reads the
    public, LIMITE, WK and observer's documents, not the SECRET one; the observer reads the
    public one and the LIMITE note distributed to it, nothing else."""
    follow(people.delegate, body=meeting.body)
    follow(people.observer, body=meeting.body)
    documents = register.documents

    sent = run("2024-03-13 08:00")

    (delegate,) = to(sent, people.delegate)
    (observer,) = to(sent, people.observer)
    for name in ("public", "limite", "wk", "to_observer"):
        assert documents[name].cover_reference in whole(delegate), name
        assert documents[name].subject in whole(delegate), name
    for name in ("public", "to_observer"):
        assert documents[name].subject in whole(observer), name
    for name in ("secret",):
        assert not any(text in whole(delegate) for text in names_of(documents[name])), name
    for name in ("limite", "wk", "secret"):
        assert not any(text in whole(observer) for text in names_of(documents[name])), name
    assert "Exchange of views on detection orders" in whole(observer)
    assert f"Procedure {register.procedure.reference}" in observer.body


def test_cancelled_subscription_or_inactive_user_before_sending_gets_nothing(
    people, meeting, clock
):
    from documents.services.outbox import notifications_send_due
    from documents.services.reminders import reminders_evaluate

    mine = follow(people.delegate, body=meeting.body)
    follow(people.observer, body=meeting.body)
    reminders_evaluate(now=clock("2024-03-13 08:00"))
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 2

    subscription_cancel(subscription=mine)
    get_user_model().objects.filter(pk=people.observer.pk).update(is_active=False)
    outcomes = notifications_send_due()

    assert outcomes == {NotificationStatus.SKIPPED: 2}
    reasons = set(Notification.objects.values_list("reason", flat=True))
    assert reasons == {
        "the recipient no longer follows LEWP (Police)", "the account is inactive",
    }  # fmt: skip


def test_a_user_without_an_email_address_is_skipped_and_reported(people, meeting, run):
    nobody = people.person("no.mail", delegation=people.member)
    get_user_model().objects.filter(pk=nobody.pk).update(email="")
    follow(nobody, body=meeting.body)
    follow(people.delegate, body=meeting.body)

    sent = run("2024-03-13 08:00")

    assert [m.to for m in sent] == [["delegate@example.eu"]]
    skipped = Notification.objects.get(recipient=nobody)
    assert (skipped.status, skipped.reason) == ("skipped", "no e-mail address")


def test_a_moved_meeting_is_notified_once_to_those_told_of_it(people, meeting, run):
    follow(people.delegate, body=meeting.body)
    run("2024-03-13 08:00")  # told: 20 March, 10:00

    meeting.starts_at = at("2024-03-22 14:30")
    meeting.save()
    moved = run("2024-03-14 08:00")
    nothing = run("2024-03-14 09:00")
    meeting.starts_at = at("2024-03-20 10:00")  # and back
    meeting.save()
    back = run("2024-03-15 08:00")

    assert [m.subject for m in moved] == ["LEWP (Police): meeting moved to Friday 22 March 2024"]
    assert (
        "planned for Wednesday 20 March 2024, 10:00 has moved to Friday 22 March 2024, 14:30"
        in (moved[0].body)
    )
    assert nothing == []
    assert [m.subject for m in back] == ["LEWP (Police): meeting moved to Wednesday 20 March 2024"]


def test_a_cancelled_meeting_is_notified_and_no_longer_reminded(people, meeting, run):
    follow(people.delegate, body=meeting.body)
    run("2024-03-13 08:00")

    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    cancelled = run("2024-03-14 08:00")
    later = run("2024-03-19 08:00")

    assert [m.subject for m in cancelled] == [
        "LEWP (Police): meeting of Wednesday 20 March 2024 cancelled"
    ]
    assert "Agenda" not in cancelled[0].body
    assert later == []


def test_a_resave_or_an_edit_of_anything_but_the_time_triggers_nothing(people, meeting, run):
    follow(people.delegate, body=meeting.body)
    run("2024-03-13 08:00")

    meeting.save()
    meeting.title = "LEWP (Police) with experts"
    meeting.place = "Europa building"
    meeting.save()

    assert run("2024-03-14 08:00") == []


def test_a_reminder_not_yet_sent_when_the_meeting_moves_is_dropped(people, meeting, clock, run):
    """Nobody was told the old time: no "moved" notice, and the reminder of the old time is
    skipped; the new time is reminded when its day comes."""
    from documents.services.reminders import reminders_evaluate

    follow(people.delegate, body=meeting.body)
    reminders_evaluate(now=clock("2024-03-13 08:00"))  # stored, not sent yet
    meeting.starts_at = at("2024-03-27 10:00")
    meeting.save()

    now = run("2024-03-13 08:05")
    week = run("2024-03-20 08:00")

    assert now == []
    assert Notification.objects.get(occurrence__startswith="7d@2024-03-20").reason == (
        "the meeting was moved since"
    )
    assert [m.subject for m in week] == [
        "LEWP (Police): meeting on Wednesday 27 March 2024 (in 7 days)"
    ]


def test_a_meeting_tomorrow_is_not_reminded_to_those_following_another_body(people, register, run):
    other = meeting_create(
        body=register.body, starts_at=at("2024-03-20 10:00") + datetime.timedelta(hours=1)
    )
    follow(people.delegate, procedure=register.procedure.reference)

    assert run("2024-03-19 08:00") == []
    assert not Notification.objects.filter(object_id=other.pk).exists()


def test_a_meeting_moved_to_tomorrow_is_one_email_not_two(people, meeting, run):
    follow(people.delegate, body=meeting.body)
    run("2024-03-13 08:00")  # told: 20 March

    meeting.starts_at = at("2024-03-15 10:00")  # the 1-day reminder of the new date is due too
    meeting.save()
    moved = run("2024-03-14 08:00")
    later = run("2024-03-14 08:05")

    assert [m.subject for m in moved] == ["LEWP (Police): meeting moved to Friday 15 March 2024"]
    assert "Agenda" in moved[0].body
    assert later == []
