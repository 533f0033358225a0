"""One test per CHECK constraint: a row that breaks it, written straight to the table (past the
model's clean() and the services), is refused by the database, and by that constraint.

The constraints are enumerated from the models' Meta: a constraint added without a case here
fails ``test_every_check_constraint_has_a_case``.
"""

import datetime
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, F
from django.utils import timezone

from api.models import APIToken, key_hash
from documents.models import (
    Body,
    Change,
    Citation,
    Delegation,
    Document,
    DocumentFile,
    DocumentRead,
    Heartbeat,
    LeadTime,
    Meeting,
    Notification,
    Procedure,
    ReleaseReview,
    ReminderOptOut,
    SubjectCode,
    SubjectCodeNumber,
    Subscription,
    UserProfile,
    VisibilityState,
)
from tests.factories import UserFactory

TODAY = datetime.date(2024, 1, 17)
NOW = datetime.datetime(2024, 1, 17, 10, 0, tzinfo=datetime.UTC)


def check_constraints() -> list[str]:
    return sorted(
        constraint.name
        for app in ("documents", "api")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
    )


# --- Rows written straight to the tables -------------------------------------------------------


def document(**fields) -> Document:
    """A document row as the table takes it (reference and slug derived unless given)."""
    values = {
        "series": "ST", "number": 7, "year": 2024, "suffix": "", "date": TODAY,
        "document_type": "NOTE", "originator": "Presidency", "recipients": "Delegations",
        "subject": "s",
    }  # fmt: skip
    values.update(fields)
    chain = values["suffix"] or "INIT"
    values.setdefault(
        "reference", f"{values['series']} {values['number']} {values['year']} {chain}"
    )
    values.setdefault("slug", values["reference"].lower().replace(" ", "-"))
    (row,) = Document.objects.bulk_create([Document(**values)])
    return row


def procedure(**fields) -> Procedure:
    values = {"year": 2023, "number": 452, "type": "COD", "title": "t"}
    values.update(fields)
    values.setdefault("reference", f"{values['year']}/{values['number']:04d}({values['type']})")
    values.setdefault(
        "slug", values["reference"].lower().replace("/", "-").replace("(", "-").replace(")", "")
    )
    (row,) = Procedure.objects.bulk_create([Procedure(**values)])
    return row


def body(**fields) -> Body:
    values = {"name": "LEWP", "kind": "working-party", **fields}
    values.setdefault("slug", values["name"].lower())
    (row,) = Body.objects.bulk_create([Body(**values)])
    return row


def meeting(**fields) -> Meeting:
    values = {"starts_at": NOW, "key": "lewp-2024-01-17", **fields}
    if "body" not in values:
        values["body"] = body()
    (row,) = Meeting.objects.bulk_create([Meeting(**values)])
    return row


def state(**fields) -> VisibilityState:
    values = {"series": "ST", "distribution": "PUBLIC", **fields}
    (row,) = VisibilityState.objects.bulk_create([VisibilityState(**values)])
    return row


def change(**fields) -> Change:
    values = {
        "record": "document", "record_id": 1, "key": "st-1-2024-init", "kind": "created",
        "scope": "listing", **fields,
    }  # fmt: skip
    if "was" not in values and "now" not in values:
        values["now"] = state(series="CM")
    (row,) = Change.objects.bulk_create([Change(**values)])
    return row


def notification(**fields) -> Notification:
    values = {
        "rule": "meeting", "object_id": 1, "occurrence": "7d@2024-01-17T09:00:00Z",
        "status": "pending", "next_attempt_at": NOW, **fields,
    }  # fmt: skip
    if "recipient" not in values:
        values["recipient"] = UserFactory()
    (row,) = Notification.objects.bulk_create([Notification(**values)])
    return row


def delegation(**fields) -> Delegation:
    values = {"code": "BE", "name": "Belgium", "kind": "member-state", **fields}
    (row,) = Delegation.objects.bulk_create([Delegation(**values)])
    return row


def document_file(**fields) -> DocumentFile:
    values = {
        "language": "en", "file": "x.txt", "size": 1, "sha256": "a" * 64,
        "media_type": "text/plain", **fields,
    }  # fmt: skip
    if "document" not in values:
        values["document"] = document(number=99)
    (row,) = DocumentFile.objects.bulk_create([DocumentFile(**values)])
    return row


def read(**fields) -> DocumentRead:
    values = {
        "kind": "read", "via": "feed", "day": TODAY, "count": 1, "at": NOW, "last_at": NOW,
        **fields,
    }  # fmt: skip
    if "document" not in values:
        values["document"] = document(number=98)
    if "user" not in values:
        values["user"] = UserFactory()
    (row,) = DocumentRead.objects.bulk_create([DocumentRead(**values)])
    return row


def token(**fields) -> APIToken:
    values = {"prefix": "ctk_abcdefgh", "key_hash": key_hash("ctk_abcdefgh"), **fields}
    if "user" not in values:
        values["user"] = UserFactory()
    (row,) = APIToken.objects.bulk_create([APIToken(**values)])
    return row


def self_parented(make) -> Callable[[], None]:
    """A row whose parent is itself (set after the insert: the id is not known before)."""

    def write() -> None:
        row = make()
        type(row).objects.filter(pk=row.pk).update(parent=F("pk"))

    return write


# constraint name -> rows that break it (each breaks that constraint alone)
CASES: dict[str, list[Callable[[], object]]] = {
    "documents_document_number_range": [
        lambda: document(number=0),
        lambda: document(number=100_000),
    ],
    "documents_document_vocabularies": [
        lambda: document(series="XX"),
        lambda: document(distribution="SECRET"),
        lambda: document(document_type="MEMO"),
        lambda: document(original_language="xx"),
        lambda: document(distribution="LIMITE", released_at=NOW, release_reason="because"),
    ],
    "documents_document_suffix_canonical": [
        lambda: document(suffix="REV 1 ADD 1"),
        lambda: document(suffix="REV"),
        lambda: document(suffix="ADD 0"),
    ],
    "documents_document_reference_derived": [
        lambda: document(reference="ST 7 2024 REV 9"),
        lambda: document(slug="something-else"),
    ],
    "documents_document_year_range": [lambda: document(year=1951), lambda: document(year=2100)],
    "documents_document_init_has_no_parent": [
        lambda: document(number=8, parent=document()),
    ],
    "documents_document_not_own_parent": [self_parented(lambda: document(suffix="REV 1"))],
    "documents_document_classification_level": [
        lambda: document(classification=5),
        lambda: document(classification=7),
    ],
    "documents_document_release_complete": [
        # Released without a reason; "released" while public; traces of a release not made.
        lambda: document(distribution="LIMITE", released_at=NOW),
        lambda: document(released_at=NOW, release_reason="act-adopted"),
        lambda: document(distribution="LIMITE", release_reason="act-adopted"),
        lambda: document(distribution="LIMITE", release_note="access request 1/24"),
        lambda: document(distribution="LIMITE", released_by=UserFactory()),
    ],
    "documents_citation_not_self": [
        lambda: (
            (d := document())
            and Citation.objects.bulk_create([Citation(document=d, reference=d.reference, cited=d)])
        ),
    ],
    "documents_procedure_number_range": [
        lambda: procedure(number=0),
        lambda: procedure(number=10_000, reference="2023/10000(COD)", slug="2023-10000-cod"),
    ],
    "documents_procedure_vocabularies": [
        lambda: procedure(type="XYZ"),
        lambda: procedure(stage="lost"),
    ],
    "documents_procedure_reference_derived": [
        lambda: procedure(reference="2023/0453(COD)", slug="2023-0453-cod"),
        lambda: procedure(slug="2023-0452-cns"),
    ],
    "documents_procedure_year_range": [lambda: procedure(year=1951), lambda: procedure(year=2100)],
    "documents_procedure_act_only_when_adopted": [
        lambda: procedure(stage="trilogues", adopted_act="Regulation (EU) 2021/1232"),
    ],
    "documents_documentfile_sha256_hex": [
        lambda: document_file(sha256="nothex"),
        lambda: document_file(sha256="A" * 64),
    ],
    "documents_documentfile_language_known": [lambda: document_file(language="xx")],
    "documents_subjectcode_code_form": [
        lambda: SubjectCode.objects.bulk_create([SubjectCode(code="jai")]),
        lambda: SubjectCode.objects.bulk_create([SubjectCode(code="JAI 64")]),
        lambda: SubjectCode.objects.bulk_create([SubjectCode(code="CFSP//PESC")]),
    ],
    "documents_subjectcodenumber_number_positive": [
        lambda: SubjectCodeNumber.objects.bulk_create(
            [
                SubjectCodeNumber(
                    subject_code=SubjectCode.objects.create(code="JAI"),
                    year=2024,
                    number=0,
                    series="ST",
                    document_number=5397,
                )
            ]
        ),
    ],
    "documents_change_kind_known": [lambda: change(kind="renamed")],
    "documents_change_vocabularies": [lambda: change(record="user"), lambda: change(scope="all")],
    "documents_change_of_something": [lambda: change(was=None, now=None)],
    "documents_change_link_complete": [
        # A link change without its level or the linked document's states; any other change
        # with them.
        lambda: change(scope="link", link_now=state(series="WK")),
        lambda: change(scope="link", link_level=3, link_now=state(series="WK")),
        lambda: change(scope="link", link_level=1),
        lambda: change(scope="full", link_level=1),
        lambda: change(scope="listing", link_was=state(series="WK")),
    ],
    "documents_change_key_given": [lambda: change(key="")],
    "documents_visibilitystate_distributed_list": [
        lambda: state(distributed="3,17"),
        lambda: state(distributed=",3,,"),
        lambda: state(distributed=",x,"),
    ],
    "documents_visibilitystate_record_has_no_facts": [
        lambda: state(record=True, series="", distribution="", classification=2),
        lambda: state(record=True, series="", distribution="", released=True),
        lambda: state(record=True, series="", distribution="PUBLIC"),
    ],
    "documents_visibilitystate_document_has_series": [lambda: state(series="")],
    "documents_meeting_key_form": [
        lambda: meeting(key="LEWP 2024"),
        lambda: meeting(key="lewp--2024"),
        lambda: meeting(key=""),
    ],
    "documents_body_slug_form": [lambda: body(slug="LEWP (Police)"), lambda: body(slug="")],
    "documents_subscription_one_target_of_its_kind": [
        lambda: Subscription.objects.bulk_create([Subscription(user=UserFactory(), kind="body")]),
        lambda: Subscription.objects.bulk_create(
            [Subscription(user=UserFactory(), kind="filter", body=body())]
        ),
    ],
    "documents_leadtime_rule_has_lead_times": [
        lambda: LeadTime.objects.bulk_create([LeadTime(rule="digest", days=1)]),
    ],
    "documents_leadtime_days_positive": [
        lambda: LeadTime.objects.bulk_create([LeadTime(rule="meeting", days=0)]),
        lambda: LeadTime.objects.bulk_create([LeadTime(rule="meeting", days=91)]),
    ],
    "documents_notification_vocabularies": [
        lambda: notification(rule="birthday"),
        lambda: notification(status="lost"),
    ],
    "documents_notification_key_complete": [
        lambda: notification(object_id=-1),
        lambda: notification(occurrence=""),
    ],
    "documents_notification_sent_has_time": [
        lambda: notification(status="sent", next_attempt_at=None),
        lambda: notification(sent_at=NOW),
    ],
    "documents_notification_pending_has_next_attempt": [
        lambda: notification(next_attempt_at=None),
    ],
    "documents_notification_skipped_has_reason": [
        lambda: notification(status="skipped", next_attempt_at=None),
    ],
    "documents_releasereview_reason_given": [
        lambda: ReleaseReview.objects.bulk_create(
            [ReleaseReview(document=document(), reason=" \n ", kept_by=UserFactory())]
        ),
    ],
    "documents_reminderoptout_rule_without_subscription": [
        lambda: ReminderOptOut.objects.bulk_create(
            [ReminderOptOut(user=UserFactory(), rule="meeting")]
        ),
    ],
    "documents_heartbeat_name_known": [
        lambda: Heartbeat.objects.bulk_create([Heartbeat(name="cron", at=NOW)]),
    ],
    "documents_body_not_own_parent": [self_parented(body)],
    "documents_body_kind_known": [lambda: body(kind="club")],
    "documents_delegation_code_upper": [
        lambda: delegation(code="be"),
        lambda: delegation(code="B"),
        lambda: delegation(code="B3"),
    ],
    "documents_delegation_kind_known": [lambda: delegation(kind="friend")],
    "documents_meeting_ends_after_start": [
        lambda: meeting(ends_at=NOW),
        lambda: meeting(ends_at=NOW - datetime.timedelta(hours=1)),
    ],
    "documents_userprofile_clearance_level": [
        lambda: UserProfile.objects.bulk_create([UserProfile(user=UserFactory(), clearance=5)]),
    ],
    "documents_documentread_kind_known": [lambda: read(kind="glance")],
    "documents_documentread_read_has_reader": [lambda: read(user=None)],
    "documents_documentread_count_positive": [lambda: read(count=0)],
    "documents_documentread_download_counted_once": [
        lambda: read(kind="download", via="api-file", count=2),
    ],
    "documents_documentread_last_after_first": [
        lambda: read(last_at=NOW - datetime.timedelta(seconds=1)),
    ],
    "api_apitoken_key_hash_sha256_hex": [
        lambda: token(key_hash="my-secret-key"),
        lambda: token(key_hash="A" * 64),
    ],
    "api_apitoken_prefix_format": [
        lambda: token(prefix="abcdefghijkl"),
        lambda: token(prefix="ctk_abc"),
        lambda: token(prefix="ctk_abc/efgh"),
    ],
}


def test_every_check_constraint_has_a_case():
    assert sorted(CASES) == check_constraints()


@pytest.mark.parametrize("name", check_constraints())
@pytest.mark.django_db
def test_the_database_refuses_a_row_that_breaks_the_constraint(name):
    assert name in CASES, f"no case for the CHECK constraint {name}: add one to CASES"
    for index, write in enumerate(CASES[name]):
        with pytest.raises(IntegrityError) as refused, transaction.atomic():
            write()
        diagnostic = refused.value.__cause__.diag
        assert diagnostic.constraint_name == name, (index, refused.value)


@pytest.mark.django_db
def test_the_rows_the_cases_start_from_are_accepted():
    """The cases break one thing each: the same rows without it are fine."""
    document()
    document(suffix="REV 1", parent=Document.objects.get())
    procedure()
    body()
    delegation()
    document_file(document=document(number=8))
    read(document=document(number=9))
    read(kind="download", via="api-file", user=None, document=document(number=10))
    token()
    meeting(body=body(name="COPEN"), starts_at=timezone.now())
    change(now=state(series="WK"))
    change(scope="link", link_level=2, link_now=state(series="DS"), now=state(series="SN"))
    state(record=True, series="", distribution="")
    state(series="ST", distributed=",3,17,")
    notification(status="sent", next_attempt_at=None, sent_at=NOW)
    notification(status="skipped", next_attempt_at=None, reason="no e-mail address", object_id=2)
    Subscription.objects.bulk_create(
        [Subscription(user=UserFactory(), kind="body", body=body(name="IXIM"))]
    )
