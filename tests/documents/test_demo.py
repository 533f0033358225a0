"""The demo register: the two sample documents with their full cover metadata."""

import datetime
import hashlib
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from documents import models as register
from documents.models import Document, Meeting, Procedure
from documents.references import find_document_references, parse_document_reference
from tests import oracle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def demo(db):
    call_command("load_demo", "--with-users", stdout=open("/dev/null", "w"))  # noqa: SIM115


def covered(document: Document) -> list[str]:
    return [str(link) for link in document.subject_code_links.select_related("allocation")]


def cover_of(fixture: str) -> dict:
    """The cover page of a sample, read from its text (the source the demo data copies)."""
    text = (FIXTURES / fixture).read_text()
    head = text.split("\nNOTE\n")[0] if "\nNOTE\n" in text else text.split("MEETING DOCUMENT")[0]
    field = lambda label: re.search(rf"^{label}:\t(.+)$", text, re.MULTILINE)[1].strip()  # noqa: E731
    return {
        "date": re.search(r"Brussels, (\d+ \w+ \d{4})", text)[1],
        "codes": re.findall(r"^\**([A-Z]+(?: \d+)?)\**$", head.split("LIMITE", 1)[1], re.MULTILINE),
        "from": field("From"),
        "to": field("To"),
        "subject": field("Subject"),
        "procedure": re.search(r"(\d{4}/\d{4}) ?\(COD\)", text)[1] + "(COD)",
    }


@pytest.mark.parametrize(
    ("reference", "fixture"),
    [
        ("ST 5397 2024 INIT", "st_5397_24_limite_note.txt"),
        ("WK 9107 2022 INIT", "wk_9107_2022_meeting_document.txt"),
    ],
)
def test_demo_documents_carry_the_cover_of_their_text(demo, reference, fixture):
    cover = cover_of(fixture)
    document = Document.objects.get(reference=reference)

    assert f"{document.date.day} {document.date:%B %Y}" == cover["date"]
    assert covered(document) == cover["codes"]
    assert (document.originator, document.recipients) == (cover["from"], cover["to"])
    assert document.subject == cover["subject"]
    assert [p.reference for p in document.procedures.all()] == [cover["procedure"]]
    assert document.distribution == "LIMITE"


def test_limite_note_has_its_full_cover(demo):
    note = Document.objects.get(reference="ST 5397 2024 INIT")

    assert note.cover_reference == "5397/24"
    assert note.date == datetime.date(2024, 1, 17)
    assert (note.place, note.original_language) == ("Brussels", "en")
    assert (note.distribution, oracle.is_public(note)) == ("LIMITE", False)
    assert note.document_type == "NOTE"
    assert (note.originator, note.recipients) == ("Presidency", "Delegations")
    assert note.subject == (
        "Case studies to illustrate the implementation of the Regulation (EU) 2021/1232"
    )
    assert [p.reference for p in note.procedures.all()] == ["2023/0452(COD)"]
    assert covered(note) == [
        "JAI 64", "ENFOPOL 15", "CRIMORG 7", "IXIM 12", "DATAPROTECT 25", "CYBER 9", "COPEN 13",
        "FREMP 20", "TELECOM 15", "COMPET 54", "MI 50", "CONSOM 19", "DIGIT 14", "CODEC 90",
    ]  # fmt: skip
    assert [c.reference for c in note.citations.all()] == ["ST 9068 2022 ADD 1"]


def test_working_document_has_its_full_cover(demo):
    wk = Document.objects.get(slug="wk-9107-2022-init")

    assert wk.cover_reference == "WK 9107/2022 INIT"
    assert wk.date == datetime.date(2022, 6, 23)
    assert wk.distribution == "LIMITE"
    assert wk.document_type == "MEETING DOCUMENT"
    assert wk.originator == "General Secretariat of the Council"
    assert wk.recipients == "Law Enforcement Working Party (Police)"
    assert wk.subject.endswith(
        "laying down rules to prevent and combat child sexual abuse - presentations"
    )
    assert [p.reference for p in wk.procedures.all()] == ["2022/0155(COD)"]
    # Working documents carry their codes without numbers.
    assert covered(wk)[:3] == ["JAI", "ENFOPOL", "CRIMORG"]
    assert len(covered(wk)) == 14


@pytest.mark.parametrize(
    ("slug", "fixture"),
    [
        ("st-5397-2024-init", "st_5397_24_limite_note.txt"),
        ("wk-9107-2022-init", "wk_9107_2022_meeting_document.txt"),
    ],
)
def test_sample_texts_are_stored_as_english_files(demo, slug, fixture):
    stored = Document.objects.get(slug=slug).files.get()
    expected = (FIXTURES / fixture).read_bytes()

    assert stored.language == "en"
    assert stored.media_type == "text/plain"
    assert stored.size == len(expected)
    assert stored.sha256 == hashlib.sha256(expected).hexdigest()
    assert stored.file.read() == expected


def test_the_note_text_cites_what_the_register_says_it_cites():
    text = (FIXTURES / "st_5397_24_limite_note.txt").read_text()

    found = [r.cover for r in find_document_references(text)]

    assert found == ["5397/24", "9068/22 ADD 1"]


def test_procedures_bodies_and_meeting(demo):
    csa = Procedure.objects.get(slug="2022-0155-cod")
    assert csa.commission_proposal == "COM(2022) 209 final"
    assert csa.lead_body.abbreviation == "LEWP (Police)"
    assert [(e.date, e.stage) for e in csa.events.all()] == [
        (datetime.date(2022, 5, 11), "proposal"),
        (datetime.date(2022, 6, 22), "working-party"),
    ]
    assert csa.stage == "working-party"
    assert Procedure.objects.get(reference="2023/0452(COD)").documents.get().cover_reference == (
        "5397/24"
    )

    lewp = register.Body.objects.get(abbreviation="LEWP (Police)")
    assert [str(lewp.parent), str(lewp.parent.parent)] == ["Coreper (Part 2)", "JHA Council"]

    meeting = Meeting.objects.get(body=lewp, starts_at__year=2022)
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour) == (datetime.date(2022, 6, 22), 10)
    assert meeting.status == "held"
    item = meeting.agenda_items.get()
    assert [p.reference for p in item.procedures.all()] == ["2022/0155(COD)"]
    assert [d.reference for d in item.documents.all()] == ["WK 9107 2022 INIT"]


def test_delegations_and_users(demo):
    delegations = register.Delegation.objects
    assert delegations.filter(kind="member-state").count() == 27
    assert delegations.get(code="EL").name == "Greece"
    assert delegations.get(code="COM").kind == "institution"

    users = get_user_model().objects
    delegate = users.get(username="delegate.be")
    assert delegate.profile.delegation.code == "BE"
    assert not delegate.is_staff
    assert delegate.check_password("delegate-demo-password")
    clerk = users.get(username="clerk")
    assert clerk.is_staff
    assert not clerk.is_superuser
    assert clerk.has_perm("documents.add_document")
    assert not clerk.has_perm("documents.release_document")
    assert users.get(username="supervisor").has_perm("documents.release_document")


def snapshot() -> dict[str, list]:
    """Every row of every register model and of the users, for comparison."""
    tables = [m for m in register.__dict__.values() if isinstance(m, type)]
    tables = [m for m in tables if issubclass(m, models.Model)] + [get_user_model()]
    return {m.__name__: sorted(map(str, m.objects.values_list())) for m in tables}


def test_loading_twice_changes_nothing(demo):
    before = snapshot()

    call_command("load_demo", "--with-users", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert snapshot() == before
    assert before["Document"]
    assert before["Meeting"]


@pytest.mark.django_db
def test_demo_users_need_debug_or_an_explicit_flag(settings, capsys):
    settings.DEBUG = False

    call_command("load_demo")

    assert "No demo users" in capsys.readouterr().out
    assert not get_user_model().objects.exists()
    assert Document.objects.count() == 2


def test_parse_round_trips_demo_references(demo):
    for document in Document.objects.all():
        assert parse_document_reference(document.cover_reference).canonical == document.reference
        assert parse_document_reference(document.slug).canonical == document.reference


@pytest.fixture
def supervisor(demo, client):
    user = get_user_model().objects.get(username="supervisor")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("model", ["document", "procedure", "meeting"])
def test_every_demo_page_of_the_desk_renders(supervisor, model):
    """Each demo record's page (with its files, timeline, agenda and history) renders."""
    objects = {"document": Document, "procedure": Procedure, "meeting": Meeting}[model].objects
    for obj in objects.all():
        page = supervisor.get(f"/admin/documents/{model}/{obj.pk}/change/")
        assert page.status_code == 200, obj
        assert 'id="record-history"' in page.content.decode()


def test_stored_file_is_shown_with_its_digest(supervisor):
    note = Document.objects.get(reference="ST 5397 2024 INIT")

    page = supervisor.get(f"/admin/documents/document/{note.pk}/change/").content.decode()

    assert note.files.get().sha256 in page
    assert "stored (never replaced in place)" in page


def test_every_demo_user_has_an_email_address(demo):
    users = get_user_model().objects.all()

    assert sorted(users.values_list("username", flat=True)) == [
        "clerk", "delegate.be", "observer.no", "supervisor",
    ]  # fmt: skip
    assert all(user.email for user in users)


def test_send_reminders_on_the_demo_reminds_of_the_lewp_meeting_as_each_may_see_it(demo):
    """GIVEN the demo: delegate.be (member state) and observer.no (observer) follow the LEWP
    (Police) and 2022/0155(COD), whose meeting of 22 June 2022 lists WK 9107/2022 INIT
    WHEN the rules run as at 15 June 2022, 08:00
    THEN both get the 7-day reminder; only delegate.be's names the WK document (an observer
    never sees WK documents)."""
    call_command("send_reminders", "--now", "2022-06-15T08:00", stdout=open("/dev/null", "w"))  # noqa: SIM115

    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"delegate.be@example.eu", "observer.no@example.eu"}
    be, no = sent["delegate.be@example.eu"], sent["observer.no@example.eu"]
    subject = "LEWP (Police): meeting on Wednesday 22 June 2022 (in 7 days)"
    assert be.subject == no.subject == subject
    assert "WK 9107/2022 INIT" in be.body
    assert "WK 9107/2022 INIT" in be.alternatives[0][0]
    wk_subject = Document.objects.get(slug="wk-9107-2022-init").subject
    for part in (no.subject, no.body, no.alternatives[0][0]):
        assert "9107" not in part
        assert wk_subject not in part  # nor its title, through the agenda or otherwise
    assert "Wednesday 22 June 2022, 10:00 (Brussels time)" in no.body


# --- The meeting ahead, for the calendar ------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # 10:00 in Brussels, 14 days later: CEST (UTC+2) in summer, CET (UTC+1) in winter.
        (datetime.date(2025, 3, 5), datetime.datetime(2025, 3, 19, 9, 0, tzinfo=datetime.UTC)),
        (datetime.date(2025, 3, 20), datetime.datetime(2025, 4, 3, 8, 0, tzinfo=datetime.UTC)),
        # 14 days later is a Saturday: the Monday after.
        (datetime.date(2025, 3, 8), datetime.datetime(2025, 3, 24, 9, 0, tzinfo=datetime.UTC)),
        # ... or a Sunday.
        (datetime.date(2025, 3, 9), datetime.datetime(2025, 3, 24, 9, 0, tzinfo=datetime.UTC)),
    ],
)
def test_upcoming_meeting_is_the_next_weekday_two_weeks_ahead_at_ten_in_brussels(today, expected):
    from documents.demo import upcoming_meeting_start

    assert upcoming_meeting_start(today) == expected


def upcoming() -> list[Meeting]:
    return list(Meeting.objects.filter(starts_at__gte=timezone.now()).order_by("starts_at"))


def test_the_demo_keeps_a_lewp_meeting_in_the_coming_weeks_with_its_agenda(db):
    with time_machine.travel(datetime.datetime(2025, 3, 5, 12, 0, tzinfo=datetime.UTC)):
        call_command("load_demo", verbosity=0)
        (meeting,) = upcoming()

    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (datetime.date(2025, 3, 19), 10, 0)
    assert meeting.body.abbreviation == "LEWP (Police)"
    assert meeting.status == "planned"
    agenda = [
        (
            [p.reference for p in item.procedures.all()],
            [d.reference for d in item.documents.all()],
        )
        for item in meeting.agenda_items.order_by("order")
    ]
    assert agenda == [
        (["2022/0155(COD)"], ["WK 9107 2022 INIT"]),
        (["2023/0452(COD)"], ["ST 5397 2024 INIT"]),
    ]


def test_loading_again_keeps_one_meeting_ahead_and_adds_one_only_once_it_is_past(db):
    """GIVEN the demo loaded on 5 March 2025 (meeting on 19 March)
    WHEN it is loaded again the same day and ten days later THEN nothing is added;
    WHEN it is loaded after the meeting THEN one new meeting lies ahead again."""

    def load_on(day: int, month: int = 3) -> list:
        moment = datetime.datetime(2025, month, day, 12, 0, tzinfo=datetime.UTC)
        with time_machine.travel(moment, tick=False):
            call_command("load_demo", verbosity=0)
            return [timezone.localtime(m.starts_at).date() for m in upcoming()]

    assert load_on(5) == [datetime.date(2025, 3, 19)]
    assert load_on(5) == [datetime.date(2025, 3, 19)]
    assert load_on(15) == [datetime.date(2025, 3, 19)]
    assert load_on(20) == [datetime.date(2025, 4, 3)]
    assert Meeting.objects.count() == 3  # 2022, 19 March, 3 April


def test_the_calendar_a_newcomer_downloads_is_not_empty(db):
    """GIVEN the demo, and a token issued to its delegate (as the README says)
    THEN the delegate's calendar holds the meeting ahead, with its agenda."""
    from icalendar import Calendar
    from rest_framework.test import APIClient

    from api.services import token_issue

    call_command("load_demo", "--with-users", verbosity=0)
    _token, key = token_issue(user=get_user_model().objects.get(username="delegate.be"))
    client = APIClient()
    (url,) = client.get("/api/v1/calendar/", HTTP_AUTHORIZATION=f"Token {key}").json()["calendars"]

    response = APIClient().get(url)

    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") > timezone.now()
    description = str(events[0]["description"])
    assert "2022/0155(COD)" in description
    assert "WK 9107 2022 INIT" in description
    assert "ST 5397 2024 INIT" in description
