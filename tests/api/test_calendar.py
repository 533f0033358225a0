"""The meetings calendar: a secret URL per token, no headers, revoked with the token."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from api.services import token_issue, token_revoke
from documents.models import Classification, Document, Meeting, UserProfile
from documents.services import agenda_item_add
from tests.factories import BodyFactory, DocumentFactory


@pytest.fixture
def delegate(db):
    call_command("load_demo", "--with-users", verbosity=0)
    return UserProfile.objects.get(user__username="delegate.be").user


def calendar_url(user, token_key: str) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
    (url,) = client.get("/api/v1/calendar/").json()["calendars"]
    return url.replace("http://testserver", "")


def events_of(response) -> list:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_calendar_lists_meetings_with_their_agenda_as_the_user_sees_it(delegate):
    _token, key = token_issue(user=delegate, name="calendar")
    lewp = Meeting.objects.get(starts_at__year=2022).body
    last_week = Meeting.objects.create(
        body=lewp, title="Law Enforcement Working Party (Police)", place="Brussels",
        status="held", starts_at=timezone.now() - datetime.timedelta(days=7),
    )  # fmt: skip
    agenda_item_add(
        meeting=last_week, title="Presentations",
        documents=[Document.objects.get(reference="WK 9107 2022 INIT")],
    )  # fmt: skip
    upcoming = Meeting.objects.create(
        body=lewp, title="LEWP (Police)", place="Brussels",
        starts_at=timezone.now() + datetime.timedelta(days=7),
    )  # fmt: skip
    secret = DocumentFactory(classification=Classification.SECRET_UE, reference="6000/24")
    agenda_item_add(meeting=upcoming, title="Threat assessment", documents=[secret])
    url = calendar_url(delegate, key)

    events = events_of(APIClient().get(url))  # a calendar client: no headers at all

    # The demo's 2022 meeting is older than the calendar reaches; its meeting ahead is in.
    assert len(events) == 3
    by_title = {str(e["summary"]): e for e in events if e.decoded("dtstart") < timezone.now()}
    held = by_title["LEWP (Police): Law Enforcement Working Party (Police)"]
    assert str(held["description"]) == "1. Presentations (WK 9107 2022 INIT)"
    assert str(held["status"]) == "CONFIRMED"
    assert held.decoded("dtstart") == last_week.starts_at.replace(microsecond=0)
    soon = {str(e["summary"]): e for e in events}["LEWP (Police): LEWP (Police)"]
    assert str(soon["description"]) == "1. Threat assessment"  # the secret one is not named
    assert str(soon["status"]) == "TENTATIVE"


def test_calendar_filters_by_body(delegate):
    _token, key = token_issue(user=delegate)
    other = BodyFactory(name="Working Party on Information")
    Meeting.objects.create(body=other, starts_at=timezone.now(), title="Transparency")
    url = calendar_url(delegate, key)

    only_other = events_of(APIClient().get(url, {"body": other.slug}))
    bad = APIClient().get(url, {"body": "abc"})
    superscript = APIClient().get(url, {"body": "²"})

    assert [str(e["summary"]) for e in only_other] == ["Working Party on Information: Transparency"]
    assert (bad.status_code, superscript.status_code) == (400, 400)


def test_revoking_the_token_revokes_its_calendar(delegate):
    token, key = token_issue(user=delegate)
    url = calendar_url(delegate, key)
    assert APIClient().get(url).status_code == 200

    token_revoke(token=token)

    assert APIClient().get(url).status_code == 404


@pytest.mark.parametrize("key", ["nonsense", "ctk_AAAAAAAA.0000", "ctk_AAAAAAAA", ".", "x" * 300])
@pytest.mark.django_db
def test_unknown_or_forged_calendar_keys_are_not_found(key):
    assert APIClient().get(f"/api/v1/calendar/{key}.ics").status_code == 404


def test_a_calendar_key_is_bound_to_its_token(delegate):
    _token, key = token_issue(user=delegate)
    url = calendar_url(delegate, key)
    forged = url.replace(".ics", "").rsplit(".", 1)[0] + "." + "0" * 40 + ".ics"

    assert APIClient().get(forged).status_code == 404
