"""Rules the database holds itself, whatever code writes to it."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from documents.models import (
    Body,
    Document,
    DocumentFile,
    Meeting,
    Procedure,
    SubjectCode,
    SubjectCodeNumber,
)
from documents.services import document_file_add, meeting_create
from tests.factories import BodyFactory, DocumentFactory, ProcedureFactory, SubjectCodeFactory

TODAY = datetime.date(2024, 1, 17)


def raw_document(**fields) -> Document:
    """A document written straight to the table, past the model and the service."""
    values = {
        "series": "ST", "number": 7, "year": 2024, "date": TODAY, "document_type": "NOTE",
        "originator": "Presidency", "recipients": "Delegations", "subject": "s",
    }  # fmt: skip
    values.update(fields)
    reference = (
        f"{values['series']} {values['number']} {values['year']} {values.get('suffix') or 'INIT'}"
    )
    values.setdefault("reference", reference)
    values.setdefault("slug", values["reference"].lower().replace(" ", "-"))
    (document,) = Document.objects.bulk_create([Document(**values)])
    return document


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.django_db
def test_a_reference_exists_once():
    raw_document()
    refused(raw_document)
    refused(lambda: raw_document(suffix="", number=7))
    raw_document(suffix="REV 1")  # another version of the same number is fine
    raw_document(suffix="ADD 1 EXT 1 REV 2 COR 1")  # the longest canonical chain


@pytest.mark.parametrize(
    "fields",
    [
        {"number": 0},
        {"number": 100_000},
        {"year": 1900},
        {"classification": 7},
        # Released without a reason, or "released" while never LIMITE.
        {"distribution": "LIMITE", "released_at": timezone.now()},
        {"distribution": "PUBLIC", "released_at": timezone.now(), "release_reason": "act-adopted"},
        {"release_reason": "act-adopted"},
        # Vocabularies and the canonical form the fields derive from.
        {"series": "XX"},
        {"distribution": "SECRET"},
        {"document_type": "MEMO"},
        {"original_language": "xx"},
        {"suffix": "REV 1 ADD 1"},
        {"suffix": "REV"},
        {"suffix": "ADD 0"},
        {"reference": "ST 7 2024 REV 9"},
        {"slug": "something-else"},
    ],
)
@pytest.mark.django_db
def test_impossible_documents_are_refused(fields):
    refused(lambda: raw_document(**fields))


@pytest.mark.django_db
def test_an_initial_version_has_no_parent():
    parent = raw_document()
    refused(lambda: raw_document(number=8, parent=parent))


@pytest.mark.django_db
def test_subject_code_number_is_allocated_once_per_code_and_year():
    jai = SubjectCodeFactory(code="JAI")
    SubjectCodeNumber.objects.create(
        subject_code=jai, year=2024, number=64, series="ST", document_number=5397
    )
    refused(
        lambda: SubjectCodeNumber.objects.create(
            subject_code=jai, year=2024, number=64, series="ST", document_number=5398
        )
    )
    refused(
        lambda: SubjectCodeNumber.objects.create(
            subject_code=jai, year=2024, number=65, series="ST", document_number=5397
        )
    )
    refused(lambda: SubjectCode.objects.create(code="jai 64"))


@pytest.mark.django_db
def test_procedure_names_an_act_only_once_adopted():
    refused(lambda: ProcedureFactory(stage="proposal", adopted_act="Regulation (EU) 2021/1232"))
    ProcedureFactory(stage="adopted", adopted_act="Regulation (EU) 2021/1232")


@pytest.mark.django_db
def test_meeting_ends_after_it_starts():
    body = BodyFactory()
    start = timezone.now()
    refused(lambda: Meeting.objects.create(body=body, starts_at=start, ends_at=start))


@pytest.mark.django_db
def test_file_digest_is_hex():
    document = raw_document()
    refused(
        lambda: DocumentFile.objects.create(
            document=document, language="en", file="x.pdf", size=1, sha256="nothex",
            media_type="application/pdf",
        )
    )  # fmt: skip


@pytest.mark.django_db
def test_nothing_is_deleted_that_others_point_at():
    SubjectCodeFactory(code="JAI")
    procedure = ProcedureFactory()
    body = BodyFactory()
    document = DocumentFactory(procedures=[procedure], bodies=[body], subject_codes=["JAI"])
    document_file_add(
        document=document, language="fr", upload=ContentFile(b"texte", name="note.txt")
    )
    meeting_create(body=body, starts_at=timezone.now())

    for record in (
        procedure,
        body,
        document,
        SubjectCode.objects.get(code="JAI"),
    ):
        with pytest.raises(ProtectedError):
            record.delete()
    assert Procedure.objects.exists()
    assert Body.objects.exists()
    assert Document.objects.exists()


@pytest.mark.django_db
def test_procedure_reference_is_derived_from_its_fields():
    ProcedureFactory(year=2023, number=452, type="COD")  # save() derives reference and slug

    refused(lambda: Procedure.objects.bulk_create([Procedure(
        year=2023, number=453, type="COD", title="t", reference="2023/0453(CNS)",
        slug="2023-0453-cns",
    )]))  # fmt: skip
    refused(lambda: Procedure.objects.bulk_create([Procedure(
        year=2023, number=454, type="XYZ", title="t", reference="2023/0454(XYZ)",
        slug="2023-0454-xyz",
    )]))  # fmt: skip
    assert Procedure.objects.get().slug == "2023-0452-cod"
