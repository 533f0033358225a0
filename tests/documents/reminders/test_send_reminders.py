"""``manage.py send_reminders [--now ...]``: every rule once, here and now; twice for the same
moment sends nothing more."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from documents.services import meeting_create
from tests.documents.reminders.conftest import at, follow


def send_reminders(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_twice_for_the_same_moment_sends_nothing_more(people, register, clock):
    meeting_create(body=register.body, starts_at=at("2024-03-20 10:00"))
    follow(people.delegate, body=register.body)
    follow(people.observer, body=register.body)
    clock("2024-06-01 12:00")  # the command runs later than the moment it evaluates

    first = send_reminders("--now", "2024-03-13T08:00")
    second = send_reminders("--now", "2024-03-13T08:00")

    assert first == (
        "Reminders at 2024-03-13 08:00 (Europe/Brussels): 2 new notification(s); 2 sent, "
        "0 skipped, 0 to retry, 0 failed.\n"
    )
    assert second == (
        "Reminders at 2024-03-13 08:00 (Europe/Brussels): 0 new notification(s); 0 sent, "
        "0 skipped, 0 to retry, 0 failed.\n"
    )
    assert len(mail.outbox) == 2


def test_an_offset_is_honoured(people, register, clock):
    meeting_create(body=register.body, starts_at=at("2024-03-20 10:00"))
    follow(people.delegate, body=register.body)

    out = send_reminders("--now", "2024-03-12T23:30:00+00:00")  # 13 March, 00:30 in Brussels

    assert "Reminders at 2024-03-13 00:30 (Europe/Brussels): 1 new" in out


@pytest.mark.parametrize("value", ["tomorrow", "2024-13-01T08:00", ""])
def test_a_bad_moment_is_refused_naming_it(db, value):
    with pytest.raises(CommandError, match="--now"):
        send_reminders("--now", value)
