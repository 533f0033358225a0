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
    Meeting,
    Procedure,
    SubjectCode,
    SubjectCodeNumber,
    UserProfile,
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
    (row,) = Body.objects.bulk_create([Body(**{"name": "LEWP", "kind": "working-party", **fields})])
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
    "documents_change_kind_known": [
        lambda: Change.objects.bulk_create(
            [
                Change(
                    document_id=1,
                    kind="renamed",
                    series="ST",
                    classification=0,
                    distribution="PUBLIC",
                )
            ]
        ),
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
        lambda: Meeting.objects.bulk_create([Meeting(body=body(), starts_at=NOW, ends_at=NOW)]),
        lambda: Meeting.objects.bulk_create(
            [Meeting(body=body(), starts_at=NOW, ends_at=NOW - datetime.timedelta(hours=1))]
        ),
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
    Meeting.objects.bulk_create([Meeting(body=body(name="COPEN"), starts_at=timezone.now())])
