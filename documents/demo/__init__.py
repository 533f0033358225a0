"""Demo data: the two sample Council documents, their files, procedures and meetings (the
LEWP (Police) meeting of 22 June 2022, and one kept in the coming weeks for the calendar).

Everything is loaded through the services, as a clerk would register it, and only when it is
not there yet, so loading twice changes nothing.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from documents.models import (
    Body,
    BodyKind,
    Delegation,
    DelegationKind,
    Distribution,
    Document,
    DocumentType,
    Meeting,
    MeetingStatus,
    Procedure,
    ProcedureStage,
    SubjectCode,
    Subscription,
    UserProfile,
)
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import (
    agenda_item_add,
    document_file_add,
    document_register,
    meeting_create,
    procedure_create,
    procedure_event_add,
)
from documents.services.subscriptions import subscription_create

TEXTS = Path(__file__).resolve().parent
BRUSSELS = ZoneInfo("Europe/Brussels")

SUBJECT_CODES = {
    "JAI": "Justice and home affairs",
    "ENFOPOL": "Police cooperation",
    "CRIMORG": "Organised crime",
    "IXIM": "Information exchange in justice and home affairs",
    "DATAPROTECT": "Data protection",
    "CYBER": "Cyber issues",
    "COPEN": "Judicial cooperation in criminal matters",
    "FREMP": "Fundamental rights, citizens' rights and free movement of persons",
    "TELECOM": "Telecommunications",
    "COMPET": "Competitiveness",
    "MI": "Internal market",
    "CONSOM": "Consumer protection",
    "DIGIT": "Digital",
    "CODEC": "Codecision (ordinary legislative procedure)",
}

# Protocol order, with the codes the Council uses (EL for Greece).
MEMBER_STATES = {
    "BE": "Belgium", "BG": "Bulgaria", "CZ": "Czechia", "DK": "Denmark", "DE": "Germany",
    "EE": "Estonia", "IE": "Ireland", "EL": "Greece", "ES": "Spain", "FR": "France",
    "HR": "Croatia", "IT": "Italy", "CY": "Cyprus", "LV": "Latvia", "LT": "Lithuania",
    "LU": "Luxembourg", "HU": "Hungary", "MT": "Malta", "NL": "Netherlands", "AT": "Austria",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SI": "Slovenia", "SK": "Slovakia",
    "FI": "Finland", "SE": "Sweden",
}  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role | None
    delegation: str | None
    description: str


DEMO_USERS = (
    DemoUser("clerk", "clerk-demo-password", Role.CLERK, None, "registry clerk (admin)"),
    DemoUser(
        "supervisor", "supervisor-demo-password", Role.SUPERVISOR, None,
        "registry supervisor (admin, releases LIMITE)",
    ),
    DemoUser(
        "delegate.be", "delegate-demo-password", None, "BE",
        "Belgian delegation (API: sees LIMITE and WK documents)",
    ),
    DemoUser(
        "observer.no", "observer-demo-password", None, "NO",
        "Norwegian observer delegation (API: public documents and those sent to it)",
    ),
)  # fmt: skip
# Who follows what in the demo (reminders): delegate.be and observer.no follow the LEWP (Police)
# and the CSA file, so `send_reminders --now 2022-06-15T08:00` reminds both of the meeting of
# 22 June 2022, each as they may see it.
DEMO_FOLLOWS = {
    "delegate.be": ("lewp", "2022/0155(COD)"),
    "observer.no": ("lewp", "2022/0155(COD)"),
}

LEWP_POLICE = "Law Enforcement Working Party (Police)"
CSA_TITLE = (
    "Proposal for a Regulation of the European Parliament and of the Council laying down rules "
    "to prevent and combat child sexual abuse"
)
INTERIM_TITLE = (
    "Proposal for a Regulation of the European Parliament and of the Council amending "
    "Regulation (EU) 2021/1232 on a temporary derogation from certain provisions of Directive "
    "2002/58/EC for the purpose of combating online child sexual abuse (extension)"
)
CODES_5397_24 = (
    "JAI 64", "ENFOPOL 15", "CRIMORG 7", "IXIM 12", "DATAPROTECT 25", "CYBER 9", "COPEN 13",
    "FREMP 20", "TELECOM 15", "COMPET 54", "MI 50", "CONSOM 19", "DIGIT 14", "CODEC 90",
)  # fmt: skip


# The demo keeps one LEWP (Police) meeting ahead, so that the calendar a newcomer downloads
# has something in it: this many days ahead at least, on a weekday, at this Brussels time.
UPCOMING_DAYS_AHEAD = 14
UPCOMING_STARTS = datetime.time(10, 0)


def upcoming_meeting_start(today: datetime.date) -> datetime.datetime:
    """The next weekday at least UPCOMING_DAYS_AHEAD days after ``today``, 10:00 in Brussels."""
    day = today + datetime.timedelta(days=UPCOMING_DAYS_AHEAD)
    while day.weekday() >= 5:  # Saturday, Sunday
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, UPCOMING_STARTS, tzinfo=BRUSSELS)


def _bodies() -> dict[str, Body]:
    council, _ = Body.objects.get_or_create(
        name="Justice and Home Affairs Council",
        defaults={"abbreviation": "JHA Council", "kind": BodyKind.COUNCIL},
    )
    coreper, _ = Body.objects.get_or_create(
        name="Permanent Representatives Committee (Part 2)",
        defaults={"abbreviation": "Coreper (Part 2)", "kind": BodyKind.COREPER, "parent": council},
    )
    lewp, _ = Body.objects.get_or_create(
        name=LEWP_POLICE,
        defaults={
            "abbreviation": "LEWP (Police)", "kind": BodyKind.WORKING_PARTY, "parent": coreper,
        },
    )  # fmt: skip
    return {"council": council, "coreper": coreper, "lewp": lewp}


def _delegations() -> None:
    for code, name in MEMBER_STATES.items():
        Delegation.objects.get_or_create(
            code=code, defaults={"name": name, "kind": DelegationKind.MEMBER_STATE}
        )
    Delegation.objects.get_or_create(
        code="COM", defaults={"name": "European Commission", "kind": DelegationKind.INSTITUTION}
    )
    # A non-member country in a mixed committee: LIMITE documents only when sent to it.
    Delegation.objects.get_or_create(
        code="NO", defaults={"name": "Norway", "kind": DelegationKind.OBSERVER}
    )


def _procedure(reference: str, **fields) -> Procedure:
    existing = Procedure.objects.filter(reference=reference).first()
    return existing or procedure_create(reference=reference, **fields)


def _document(reference: str, text: str, **fields) -> Document:
    existing = Document.objects.filter(reference=reference).first()
    if existing:
        return existing
    document = document_register(reference=reference, **fields)
    with (TEXTS / text).open("rb") as handle:
        document_file_add(document=document, language="en", upload=File(handle, name=text))
    return document


def _users(*, with_users: bool) -> list[DemoUser]:
    if not with_users:
        return []
    User = get_user_model()
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(username=demo.username)
        if created:
            user.set_password(demo.password)
        if created or not user.email:  # every demo user can receive the reminders
            user.email = f"{demo.username}@example.eu"
            user.save()
        delegation = Delegation.objects.get(code=demo.delegation) if demo.delegation else None
        UserProfile.objects.get_or_create(user=user, defaults={"delegation": delegation})
        if demo.role is not None:
            user_role_set(user=user, role=demo.role)
    return list(DEMO_USERS)


def _follows(bodies: dict[str, Body]) -> None:
    for username, (body, procedure) in DEMO_FOLLOWS.items():
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            continue
        follows = Subscription.objects.filter(user=user)  # a cancelled one stays cancelled
        if not follows.filter(body=bodies[body]).exists():
            subscription_create(user=user, body=bodies[body])
        if not follows.filter(procedure__reference=procedure).exists():
            subscription_create(user=user, procedure=procedure)


@transaction.atomic
def demo_load(*, with_users: bool) -> list[DemoUser]:
    """Load the demo register; returns the demo users created or already there."""
    roles_set_up()
    for code, description in SUBJECT_CODES.items():
        SubjectCode.objects.get_or_create(code=code, defaults={"description": description})
    bodies = _bodies()
    _delegations()

    csa = _procedure(
        "2022/0155(COD)",
        title=CSA_TITLE,
        commission_proposal="COM(2022) 209 final",
        commission_proposal_date=datetime.date(2022, 5, 11),
        lead_body=bodies["lewp"],
    )
    interim = _procedure("2023/0452(COD)", title=INTERIM_TITLE, lead_body=bodies["lewp"])

    wk = _document(
        "WK 9107 2022 INIT",
        "wk_9107_2022_meeting_document.txt",
        date=datetime.date(2022, 6, 23),
        original_language="en",
        distribution=Distribution.LIMITE,
        document_type=DocumentType.MEETING_DOCUMENT,
        originator="General Secretariat of the Council",
        recipients=LEWP_POLICE,
        subject=f"{CSA_TITLE} - presentations",
        procedures=[csa],
        bodies=[bodies["lewp"]],
        subject_codes=[label.split()[0] for label in CODES_5397_24],
    )
    note = _document(
        "ST 5397 2024 INIT",
        "st_5397_24_limite_note.txt",
        date=datetime.date(2024, 1, 17),
        original_language="en",
        distribution=Distribution.LIMITE,
        document_type=DocumentType.NOTE,
        originator="Presidency",
        recipients="Delegations",
        subject="Case studies to illustrate the implementation of the Regulation (EU) 2021/1232",
        procedures=[interim],
        bodies=[bodies["lewp"]],
        subject_codes=list(CODES_5397_24),
        cites=["9068/22 ADD 1"],
    )

    if not csa.events.exists():
        procedure_event_add(
            procedure=csa,
            date=datetime.date(2022, 5, 11),
            stage=ProcedureStage.PROPOSAL,
            title="Commission proposal COM(2022) 209 final",
        )
        procedure_event_add(
            procedure=csa, date=datetime.date(2022, 6, 22), stage=ProcedureStage.WORKING_PARTY,
            title="Presentations at the LEWP (Police)", document=wk,
        )  # fmt: skip
    if not interim.events.exists():
        procedure_event_add(
            procedure=interim, date=datetime.date(2024, 1, 17),
            stage=ProcedureStage.WORKING_PARTY,
            title="Presidency note with case studies on the Interim Regulation", document=note,
        )  # fmt: skip

    starts_at = datetime.datetime(2022, 6, 22, 10, 0, tzinfo=BRUSSELS)
    if not Meeting.objects.filter(body=bodies["lewp"], starts_at=starts_at).exists():
        meeting = meeting_create(
            body=bodies["lewp"],
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=7),
            title="Law Enforcement Working Party (Police)",
            place="Brussels",
            status=MeetingStatus.HELD,
        )
        agenda_item_add(
            meeting=meeting,
            # Agenda titles are public: never the title of a document the public may not see.
            title="Regulation to prevent and combat child sexual abuse: state of play",
            procedures=[csa],
            documents=[wk],
        )
    _upcoming_meeting(bodies["lewp"], csa=csa, interim=interim, wk=wk, note=note)
    users = _users(with_users=with_users)
    _follows(bodies)
    return users


def _upcoming_meeting(lewp: Body, *, csa, interim, wk: Document, note: Document) -> None:
    """A LEWP (Police) meeting in the coming weeks, unless one is ahead already: loading again
    the same day (or any day before that meeting) adds nothing."""
    now = timezone.now()
    if Meeting.objects.filter(body=lewp, starts_at__gte=now).exists():
        return
    starts_at = upcoming_meeting_start(timezone.localdate(now, BRUSSELS))
    meeting = meeting_create(
        body=lewp,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=7),
        title="Law Enforcement Working Party (Police)",
        place="Brussels",
        status=MeetingStatus.PLANNED,
    )
    agenda_item_add(meeting=meeting, title=CSA_TITLE, procedures=[csa], documents=[wk])
    agenda_item_add(
        meeting=meeting,
        title="Extension of the Interim Regulation: case studies on its implementation",
        procedures=[interim],
        documents=[note],
    )
