"""Deriving versions keeps the number and takes the next suffix."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from documents.models import Classification, Distribution, Document
from documents.services import document_derive
from tests import oracle
from tests.factories import DocumentFactory, ProcedureFactory, SubjectCodeFactory


@pytest.fixture
def note(db):
    for code in ("JAI", "CODEC"):
        SubjectCodeFactory(code=code)
    procedure = ProcedureFactory(year=2023, number=452)
    return DocumentFactory(
        reference="5802/14",
        subject_codes=["JAI 64", "CODEC 90"],
        procedures=[procedure],
        distribution=Distribution.LIMITE,
    )


def derive(document: Document, kind: str, **changes) -> Document:
    return document_derive(document=document, kind=kind, date=datetime.date(2014, 3, 1), **changes)


@pytest.mark.django_db
def test_each_kind_takes_the_next_number_of_its_own_chain(note):
    rev1 = derive(note, "REV")
    rev2 = derive(rev1, "REV")
    add1 = derive(note, "ADD")
    add2 = derive(rev2, "add")
    add1_rev1 = derive(add1, "REV")
    cor1 = derive(rev2, "COR")
    cor2 = derive(cor1, "COR")
    ext1 = derive(note, "EXT")

    assert [d.reference for d in (rev1, rev2, add1, add2, add1_rev1, cor1, cor2, ext1)] == [
        "ST 5802 2014 REV 1",
        "ST 5802 2014 REV 2",
        "ST 5802 2014 ADD 1",
        "ST 5802 2014 ADD 2",
        "ST 5802 2014 ADD 1 REV 1",
        "ST 5802 2014 REV 2 COR 1",
        "ST 5802 2014 REV 2 COR 2",
        "ST 5802 2014 EXT 1",
    ]
    assert rev2.cover_reference == "5802/2/14 REV 2"
    assert (rev2.parent, add1_rev1.parent, cor2.parent) == (rev1, add1, cor1)


@pytest.mark.django_db
def test_derived_version_copies_the_cover_with_the_same_subject_code_numbers(note):
    rev = derive(note, "REV", subject="Revised case studies")

    assert rev.number == note.number
    assert rev.subject == "Revised case studies"
    assert rev.distribution == Distribution.LIMITE
    assert [str(link) for link in rev.subject_code_links.all()] == ["JAI 64", "CODEC 90"]
    assert list(rev.procedures.all()) == list(note.procedures.all())


@pytest.mark.django_db
def test_extract_is_a_public_text(note):
    ext = derive(note, "EXT")

    assert (ext.distribution, ext.classification) == (
        Distribution.PUBLIC,
        Classification.UNCLASSIFIED,
    )
    assert oracle.is_public(ext)


@pytest.mark.django_db
def test_deriving_takes_no_new_document_number(note):
    derive(note, "REV")
    fresh = DocumentFactory(date=datetime.date(2014, 5, 5))

    assert fresh.number == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [("XYZ", "is not one of"), ("INIT", "is not one of")],
)
@pytest.mark.django_db
def test_unknown_kind_is_refused(note, kind, message):
    with pytest.raises(ValidationError, match=message):
        derive(note, kind)

    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_extract_from_an_extract_is_the_next_extract_of_the_same_text(note):
    ext = derive(note, "EXT")
    add = derive(note, "ADD")

    assert derive(ext, "EXT").reference == "ST 5802 2014 EXT 2"
    assert derive(add, "EXT").reference == "ST 5802 2014 ADD 1 EXT 1"


@pytest.mark.django_db
def test_unknown_change_is_refused(note):
    with pytest.raises(ValidationError, match="cannot set colour"):
        derive(note, "REV", colour="blue")

    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_versions_of_an_addendum_do_not_count_for_the_main_text(note):
    """GIVEN ADD 1 and its REV 1 and COR 1
    WHEN the main text is revised, corrected and extracted
    THEN it gets REV 1, COR 1 and EXT 1 of its own."""
    add1 = derive(note, "ADD")
    derive(add1, "REV")
    derive(add1, "COR")
    derive(add1, "EXT")

    assert [derive(note, kind).reference for kind in ("REV", "COR", "EXT")] == [
        "ST 5802 2014 REV 1",
        "ST 5802 2014 COR 1",
        "ST 5802 2014 EXT 1",
    ]


@pytest.mark.django_db
def test_extract_of_a_classified_document_must_say_its_classification(note):
    secret = DocumentFactory(classification=Classification.SECRET_UE)

    with pytest.raises(ValidationError, match="declassifying is a decision"):
        derive(secret, "EXT")
    ext = derive(secret, "EXT", classification=Classification.RESTREINT_UE)

    assert ext.classification == Classification.RESTREINT_UE
