"""Gap-free numbers: per series and year for documents, per code and year for subject codes."""

import datetime
import random
import threading
from collections import Counter as Tally

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from documents.models import Counter, Document, DocumentSubjectCode, SubjectCodeNumber
from tests.factories import DocumentFactory, ProcedureFactory, SubjectCodeFactory

CODES = ["JAI", "ENFOPOL", "CRIMORG", "IXIM", "CODEC", "COPEN"]


@pytest.fixture
def codes(db):
    return {code: SubjectCodeFactory(code=code) for code in CODES}


def labels(document: Document) -> list[str]:
    return [
        str(link)
        for link in DocumentSubjectCode.objects.filter(document=document).select_related(
            "subject_code", "allocation"
        )
    ]


@pytest.mark.django_db
def test_numbers_follow_each_other_per_series_and_year(codes):
    first = DocumentFactory(series="ST", date=datetime.date(2024, 1, 2))
    second = DocumentFactory(series="ST", date=datetime.date(2024, 3, 1))
    other_series = DocumentFactory(series="WK", date=datetime.date(2024, 3, 1))
    other_year = DocumentFactory(series="ST", date=datetime.date(2023, 12, 31))

    assert (first.number, second.number) == (1, 2)
    assert other_series.number == 1
    assert other_year.number == 1
    assert second.reference == "ST 2 2024 INIT"
    assert other_series.reference == "WK 1 2024 INIT"


@pytest.mark.django_db
def test_subject_codes_numbered_per_code_and_year_in_cover_order(codes):
    first = DocumentFactory(subject_codes=["JAI", "ENFOPOL", "CODEC"])
    second = DocumentFactory(subject_codes=["CODEC", "JAI"])
    next_year = DocumentFactory(subject_codes=["JAI"], date=datetime.date(2025, 1, 6))

    assert labels(first) == ["JAI 1", "ENFOPOL 1", "CODEC 1"]
    assert labels(second) == ["CODEC 2", "JAI 2"]
    assert labels(next_year) == ["JAI 1"]


@pytest.mark.django_db
def test_working_documents_carry_codes_without_numbers(codes):
    wk = DocumentFactory(series="WK", subject_codes=["JAI", "ENFOPOL"])

    assert labels(wk) == ["JAI", "ENFOPOL"]
    assert not SubjectCodeNumber.objects.exists()


@pytest.mark.django_db
def test_working_document_refuses_a_numbered_code(codes):
    with pytest.raises(ValidationError, match="WK documents carry subject codes without numbers"):
        DocumentFactory(series="WK", subject_codes=["JAI 3"])


@pytest.mark.django_db
def test_failed_registration_consumes_no_number(codes):
    """GIVEN a registration that takes numbers and then fails
    WHEN the next document is registered
    THEN it gets the numbers the failed one had taken."""
    DocumentFactory(subject_codes=["JAI"])
    taken = []

    def register_then_fail() -> None:
        with transaction.atomic():
            taken.append(DocumentFactory(subject_codes=["JAI"]).number)
            raise ValidationError("the clerk's browser crashed")

    with pytest.raises(ValidationError, match="browser crashed"):
        register_then_fail()
    assert taken == [2]
    # Bad input is refused before anything is taken, too.
    with pytest.raises(ValidationError, match="unknown subject code"):
        DocumentFactory(subject_codes=["JAI", "NOSUCH"])
    with pytest.raises(ValidationError, match="2099/0001\\(COD\\) is not registered"):
        DocumentFactory(subject_codes=["JAI"], procedures=["2099/0001(COD)"])

    after = DocumentFactory(subject_codes=["JAI"])

    assert after.number == 2
    assert labels(after) == ["JAI 2"]
    assert Counter.objects.get(scope="document:ST", year=2024).last == 2


@pytest.mark.django_db
def test_invalid_document_rolls_back_whole_registration(codes):
    with pytest.raises(ValidationError) as raised:
        DocumentFactory(subject_codes=["JAI"], original_language="xx")

    assert "original_language" in raised.value.message_dict
    assert not Document.objects.exists()
    assert not SubjectCodeNumber.objects.exists()
    assert DocumentFactory(subject_codes=["JAI"]).number == 1


@pytest.mark.django_db
def test_older_document_keeps_its_own_numbers_and_they_are_stepped_over(codes):
    older = DocumentFactory(reference="st 3/24", subject_codes=["JAI 2"])
    automatic = [DocumentFactory(subject_codes=["JAI"]) for _ in range(3)]

    assert older.reference == "ST 3 2024 INIT"
    assert [d.number for d in automatic] == [1, 2, 4]
    assert [labels(d) for d in automatic] == [["JAI 1"], ["JAI 3"], ["JAI 4"]]


@pytest.mark.django_db
def test_duplicate_reference_is_refused_naming_it(codes):
    DocumentFactory(reference="5397/24", subject_codes=["JAI 64"])

    with pytest.raises(ValidationError, match=r"ST 5397 2024 INIT is already taken"):
        DocumentFactory(reference="ST 5397 2024 INIT", subject_codes=["ENFOPOL 1"])

    assert Document.objects.count() == 1
    assert not SubjectCodeNumber.objects.filter(subject_code__code="ENFOPOL").exists()


@pytest.mark.django_db
def test_subject_code_number_given_twice_is_refused_naming_its_holder(codes):
    DocumentFactory(reference="5397/24", subject_codes=["JAI 64"])

    with pytest.raises(
        ValidationError, match=r"JAI 64 of 2024 is already allocated to ST 5397/2024"
    ):
        DocumentFactory(reference="5398/24", subject_codes=["JAI 64"])

    assert not Document.objects.filter(number=5398).exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"reference": "XX 1/24"}, "reference", "unknown series"),
        ({"reference": "5397/24 REV"}, "reference", "REV"),
        ({"series": "QQ"}, "series", "unknown series"),
        ({"suffix": "ADD 1"}, "suffix", "derive it"),
        ({"reference": "5397/24", "suffix": "ADD 1"}, "reference", "either"),
        ({"cites": ["not a reference"]}, "cites", "not a reference"),
        ({"reference": "5397/24 REV 1"}, "reference", "ST 5397 2024 INIT is not registered"),
        ({"series": "ST", "number": 0}, "number", "out of range"),
        ({"series": "ST", "number": 100_000}, "number", "out of range"),
        ({"year": 1900}, "year", "year"),
        ({"year": 40_000}, "year", "year"),
        ({"original_language": "xx"}, "original_language", "not a valid choice"),
        ({"procedures": ["2023/0452(XYZ)"]}, "procedures", "XYZ"),
    ],
)
@pytest.mark.django_db
def test_bad_input_names_the_field_and_takes_no_number(codes, kwargs, field, message):
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as raised:
        DocumentFactory(**kwargs)

    assert field in raised.value.message_dict
    assert message in " ".join(raised.value.message_dict[field])
    assert not Document.objects.exists()
    # Refused before any counter was touched, not merely rolled back afterwards.
    assert not [q["sql"] for q in queries.captured_queries if "documents_counter" in q["sql"]]


@pytest.mark.django_db
def test_registration_links_procedures_and_citations(codes):
    procedure = ProcedureFactory(year=2023, number=452, type="COD")
    DocumentFactory(reference="9068/22")
    cited = DocumentFactory(reference="9068/22 ADD 1")

    document = DocumentFactory(
        procedures=["2023/0452 (COD)"], cites=["9068/22 ADD 1", "10589/17 COR 1"]
    )

    assert list(document.procedures.all()) == [procedure]
    assert [(c.reference, c.cited) for c in document.citations.all()] == [
        ("ST 9068 2022 ADD 1", cited),
        ("ST 10589 2017 COR 1", None),
    ]
    # Registering the cited document later links the waiting citation.
    DocumentFactory(reference="10589/17")
    later = DocumentFactory(reference="10589/17 COR 1")
    assert document.citations.get(reference="ST 10589 2017 COR 1").cited == later


THREADS = 8
PER_THREAD = 30


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_every_number_exactly_once():
    """GIVEN 8 connections registering 240 documents at once, with overlapping subject codes
    in random cover order, and one registration in ten rolled back after taking its numbers
    WHEN they all finish
    THEN the committed documents hold exactly 1..N, and every code exactly 1..its count."""
    for code in CODES:
        SubjectCodeFactory(code=code)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    rolled_back = Tally()

    class Abandon(Exception):
        pass

    def clerk(seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                chosen = rng.sample(CODES, rng.randint(1, 4))
                try:
                    with transaction.atomic():
                        DocumentFactory(subject_codes=chosen, subject=f"thread {seed} doc {i}")
                        if rng.random() < 0.1:
                            raise Abandon
                except Abandon:
                    rolled_back[seed] += 1
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not errors, errors
    committed = THREADS * PER_THREAD - sum(rolled_back.values())
    assert committed >= 200
    numbers = sorted(Document.objects.values_list("number", flat=True))
    assert numbers == list(range(1, committed + 1))
    for code in CODES:
        taken = sorted(
            SubjectCodeNumber.objects.filter(subject_code__code=code, year=2024).values_list(
                "number", flat=True
            )
        )
        on_covers = DocumentSubjectCode.objects.filter(subject_code__code=code).count()
        assert taken == list(range(1, on_covers + 1)), code


@pytest.mark.django_db
def test_older_version_registered_by_hand_is_linked_to_what_it_extends(codes):
    init = DocumentFactory(reference="5802/14")
    add1 = DocumentFactory(reference="5802/14 ADD 1")
    add1_rev1 = DocumentFactory(reference="5802/1/14 ADD 1 REV 1")
    rev3 = DocumentFactory(reference="5802/3/14 REV 3")

    assert (add1.parent, add1_rev1.parent, rev3.parent) == (init, add1, init)


def _cover(**fields) -> dict:
    return {
        "date": datetime.date(2024, 2, 1), "document_type": "NOTE", "originator": "Presidency",
        "recipients": "Delegations", "subject": "A batch", **fields,
    }  # fmt: skip


@pytest.mark.django_db
def test_a_batch_registers_in_order_with_consecutive_numbers(codes):
    """GIVEN a batch mixing automatic numbers, an older document under its own number, a
    version of it and a citation of it WHEN registered together THEN numbers follow the batch's
    order, the version extends the older document and the citation links it."""
    from documents.services import documents_register

    DocumentFactory(subject_codes=["JAI"])  # ST 1 2024, JAI 1
    batch = documents_register(
        [
            _cover(subject_codes=["JAI", "CODEC"]),
            _cover(reference="5397/24", subject_codes=["JAI 64"]),
            _cover(reference="5397/24 ADD 1", subject_codes=["JAI 64"]),
            _cover(subject_codes=["CODEC"], cites=["5397/24 ADD 1"]),
        ]
    )

    assert [d.reference for d in batch] == [
        "ST 2 2024 INIT", "ST 5397 2024 INIT", "ST 5397 2024 ADD 1", "ST 3 2024 INIT",
    ]  # fmt: skip
    assert [labels(d) for d in batch] == [["JAI 2", "CODEC 1"], ["JAI 64"], ["JAI 64"], ["CODEC 2"]]
    assert batch[2].parent == batch[1]
    assert batch[3].citations.get().cited == batch[2]
    assert Counter.objects.get(scope="document:ST", year=2024).last == 3


@pytest.mark.django_db
def test_a_refused_registration_in_a_batch_is_named_and_nothing_is_written(codes):
    from documents.services import RegistrationError, documents_register

    with pytest.raises(RegistrationError) as raised:
        documents_register(
            [_cover(subject_codes=["JAI"]), _cover(subject_codes=["NOSUCH"]), _cover()]
        )

    assert raised.value.index == 1
    assert "unknown subject code(s): NOSUCH" in raised.value.message_dict["subject_codes"][0]
    assert not Document.objects.exists()
    assert not Counter.objects.exists()
