"""Fixtures of the reminder tests: readers of each kind, the documents of the visibility table,
and a clock (time-machine) that every rule and every timestamp of the run follows."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from documents.models import (
    Classification,
    DelegationKind,
    Distribution,
    Document,
    UserProfile,
)
from documents.roles import Role, roles_set_up, user_role_set
from documents.services.outbox import notifications_send_due
from documents.services.reminders import reminders_evaluate
from documents.services.subscriptions import subscription_create
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    DocumentFactory,
    ProcedureFactory,
    SubjectCodeFactory,
    UserFactory,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(text: str) -> datetime.datetime:
    """A Brussels wall-clock time, e.g. ``at("2024-03-13 08:00")``."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


def whole(message) -> str:
    """Everything a recipient reads of an e-mail: subject, text and HTML parts."""
    html = "".join(content for content, _type in getattr(message, "alternatives", []))
    return f"{message.subject}\n{message.body}\n{html}"


@pytest.fixture
def clock(time_machine):
    """Moves the wall clock (``timezone.now()``, row timestamps, history) to a Brussels time."""

    def move(text: str) -> datetime.datetime:
        moment = at(text)
        time_machine.move_to(moment, tick=False)
        return moment

    return move


@pytest.fixture
def run(clock):
    """Evaluate every rule at a Brussels time and send what is due; the e-mails sent."""

    def run(text: str) -> list:
        now = clock(text)
        before = len(mail.outbox)
        reminders_evaluate(now=now)
        notifications_send_due()
        return mail.outbox[before:]

    return run


@pytest.fixture
def people(db, clock):
    """A member-state delegate, an observer delegate, a supervisor and a clerk, as the register
    stood on 17 January 2024 (the clock starts there)."""
    clock("2024-01-17 09:00")
    roles_set_up()
    member = DelegationFactory(code="BE", kind=DelegationKind.MEMBER_STATE)
    observer = DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)

    def person(username, *, delegation=None, role=None, clearance=0):
        user = UserFactory(username=username)
        UserProfile.objects.create(user=user, delegation=delegation, clearance=clearance)
        if role:
            user_role_set(user=user, role=role)
        return type(user).objects.get(pk=user.pk)

    return SimpleNamespace(
        delegate=person("delegate", delegation=member),
        observer=person("observer", delegation=observer),
        supervisor=person("supervisor", role=Role.SUPERVISOR),
        clerk=person("clerk", role=Role.CLERK),
        member=member,
        observer_delegation=observer,
        person=person,
    )


@pytest.fixture
def register(people):
    """One document of each row of the visibility table, in one procedure and one body."""
    SubjectCodeFactory(code="JAI")
    procedure = ProcedureFactory(year=2023, number=452, title="Interim regulation extension")
    body = BodyFactory(name="Law Enforcement Working Party (Police)", abbreviation="LEWP (Police)")
    linked = {"procedures": [procedure], "bodies": [body], "subject_codes": ["JAI"]}
    limite = {"distribution": Distribution.LIMITE, **linked}
    documents = {
        "public": DocumentFactory(subject="Public agenda of the presidency", **linked),
        "limite": DocumentFactory(subject="Limite compromise text on detection orders", **limite),
        "wk": DocumentFactory(series="WK", subject="Working paper on age verification", **limite),
        "secret": DocumentFactory(
            subject="Secret threat assessment of hosting providers",
            classification=Classification.SECRET_UE,
            **linked,
        ),
        "to_observer": DocumentFactory(
            subject="Note for the mixed committee on encryption",
            distributed_to=[people.observer_delegation],
            **limite,
        ),
    }
    return SimpleNamespace(procedure=procedure, body=body, documents=documents)


def follow(user, **target):
    return subscription_create(user=user, **target)


def names_of(document: Document) -> tuple[str, ...]:
    """Every way an e-mail could name a document: its references and its subject."""
    return (document.reference, document.cover_reference, document.subject, document.slug)


def now() -> datetime.datetime:
    return timezone.now()
