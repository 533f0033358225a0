"""Tests for documents.references (pure Python: no Django settings or database needed)."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from documents.references import (
    PROCEDURE_TYPES,
    SERIES,
    SUFFIX_KINDS,
    DocumentReference,
    InvalidReference,
    ProcedureReference,
    find_document_references,
    find_procedure_references,
    parse_document_reference,
    parse_procedure_reference,
    parse_suffix_chain,
    scan_document_references,
    scan_procedure_references,
)


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """Override the suite-wide autouse fixture: these tests need no Django settings or files.

    Keeps the module runnable with ``-p no:django`` (the conftest fixture needs pytest-django).
    """


def doc(series: str, number: int, year: int, *suffixes: tuple[str, int]) -> DocumentReference:
    """Build the expected value directly, independently of the parser."""
    return DocumentReference(series, number, year, tuple(suffixes))


# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------


def test_series_are_the_known_council_series() -> None:
    assert SERIES == ("ST", "WK", "CM", "SN", "DS", "PE-CONS")


def test_suffix_kinds_are_in_canonical_order() -> None:
    assert SUFFIX_KINDS == ("ADD", "EXT", "DCL", "REV", "COR")


def test_procedure_types_cover_the_main_oeil_types() -> None:
    required = {"COD", "CNS", "APP", "NLE", "AVC", "SYN", "BUD", "DEC", "INI", "INL", "RSP"}
    assert required <= set(PROCEDURE_TYPES)
    assert len(set(PROCEDURE_TYPES)) == len(PROCEDURE_TYPES)


# --------------------------------------------------------------------------------------------
# Parsing document references
# --------------------------------------------------------------------------------------------

SPELLINGS = [
    # register form
    ("ST 5397 2024 INIT", doc("ST", 5397, 2024)),
    ("ST 9068 2022 ADD 1", doc("ST", 9068, 2022, ("ADD", 1))),
    ("WK 9107 2022 INIT", doc("WK", 9107, 2022)),
    ("ST 9068 2022 ADD 1 REV 1", doc("ST", 9068, 2022, ("ADD", 1), ("REV", 1))),
    ("5397 2024", doc("ST", 5397, 2024)),
    ("PE-CONS 12 2024 INIT", doc("PE-CONS", 12, 2024)),
    # cover form
    ("5397/24", doc("ST", 5397, 2024)),
    ("9068/22 ADD 1", doc("ST", 9068, 2022, ("ADD", 1))),
    ("WK 9107/2022 INIT", doc("WK", 9107, 2022)),
    ("WK 13259/20", doc("WK", 13259, 2020)),
    ("CM 1234/24", doc("CM", 1234, 2024)),
    ("SN 1234/24", doc("SN", 1234, 2024)),
    ("DS 1234/24", doc("DS", 1234, 2024)),
    ("PE-CONS 12/24", doc("PE-CONS", 12, 2024)),
    ("5397/2024", doc("ST", 5397, 2024)),
    # revision counter
    ("5802/3/14 REV 3", doc("ST", 5802, 2014, ("REV", 3))),
    ("5802/14 REV 3", doc("ST", 5802, 2014, ("REV", 3))),
    ("9068/1/22 ADD 1 REV 1", doc("ST", 9068, 2022, ("ADD", 1), ("REV", 1))),
    ("5802/03/14 REV 3", doc("ST", 5802, 2014, ("REV", 3))),
    # two-digit year pivot
    ("1234/00", doc("ST", 1234, 2000)),
    ("1234/69", doc("ST", 1234, 2069)),
    ("1234/70", doc("ST", 1234, 1970)),
    ("1234/99", doc("ST", 1234, 1999)),
    # extreme but valid values
    ("ST 1 1952", doc("ST", 1, 1952)),
    ("ST 99999 2099 COR 999", doc("ST", 99999, 2099, ("COR", 999))),
    ("0005397/24", doc("ST", 5397, 2024)),
    # spellings in the wild
    ("REV1".join(["ST 5397 2024 ", ""]), doc("ST", 5397, 2024, ("REV", 1))),
    ("5397/24 rev 1", doc("ST", 5397, 2024, ("REV", 1))),
    ("ST 5397/24", doc("ST", 5397, 2024)),
    ("st5397/24", doc("ST", 5397, 2024)),
    ("wk 9107/2022", doc("WK", 9107, 2022)),
    ("Wk 9107/2022 init", doc("WK", 9107, 2022)),
    ("  ST   5397    2024   INIT  ", doc("ST", 5397, 2024)),
    ("ST\u00a05397\u00a02024\u00a0ADD\u00a01", doc("ST", 5397, 2024, ("ADD", 1))),
    ("\t5802 / 3 / 14\u202fREV 3\n", doc("ST", 5802, 2014, ("REV", 3))),
    ("WK9107/2022INIT", doc("WK", 9107, 2022)),
    ("pe cons 12/24", doc("PE-CONS", 12, 2024)),
    ("PE-CONS12/24", doc("PE-CONS", 12, 2024)),
    # suffix order is normalised
    ("ST 9068 2022 REV 1 ADD 1", doc("ST", 9068, 2022, ("ADD", 1), ("REV", 1))),
    (
        "9068/22 COR 2 REV 1 DCL 3 EXT 4 ADD 5",
        doc("ST", 9068, 2022, ("ADD", 5), ("EXT", 4), ("DCL", 3), ("REV", 1), ("COR", 2)),
    ),
    # slug form
    ("st-9068-2022-add-1", doc("ST", 9068, 2022, ("ADD", 1))),
    ("st-5397-2024-init", doc("ST", 5397, 2024)),
    ("pe-cons-12-2024-init", doc("PE-CONS", 12, 2024)),
    ("wk-9107-2022-init", doc("WK", 9107, 2022)),
    ("ST-9068-2022-ADD-1-REV-1", doc("ST", 9068, 2022, ("ADD", 1), ("REV", 1))),
]


@pytest.mark.parametrize(("text", "expected"), SPELLINGS)
def test_every_spelling_parses_to_the_same_reference(
    text: str, expected: DocumentReference
) -> None:
    assert parse_document_reference(text) == expected


OUTPUTS = [
    # (reference, canonical, cover, slug, suffix)
    ("ST 5397 2024 INIT", "ST 5397 2024 INIT", "5397/24", "st-5397-2024-init", ""),
    ("ST 9068 2022 ADD 1", "ST 9068 2022 ADD 1", "9068/22 ADD 1", "st-9068-2022-add-1", "ADD 1"),
    ("5802/3/14 REV 3", "ST 5802 2014 REV 3", "5802/3/14 REV 3", "st-5802-2014-rev-3", "REV 3"),
    ("5802/14 REV 3", "ST 5802 2014 REV 3", "5802/3/14 REV 3", "st-5802-2014-rev-3", "REV 3"),
    ("WK 9107 2022 INIT", "WK 9107 2022 INIT", "WK 9107/2022 INIT", "wk-9107-2022-init", ""),
    ("WK 13259/20", "WK 13259 2020 INIT", "WK 13259/2020 INIT", "wk-13259-2020-init", ""),
    (
        "WK 9107/2022 ADD 1",
        "WK 9107 2022 ADD 1",
        "WK 9107/2022 ADD 1",
        "wk-9107-2022-add-1",
        "ADD 1",
    ),
    (
        "WK 9107/2022 REV 2",
        "WK 9107 2022 REV 2",
        "WK 9107/2022 REV 2",
        "wk-9107-2022-rev-2",
        "REV 2",
    ),
    ("CM 1234/24", "CM 1234 2024 INIT", "CM 1234/24", "cm-1234-2024-init", ""),
    (
        "CM 1234/1/24 REV 1",
        "CM 1234 2024 REV 1",
        "CM 1234/1/24 REV 1",
        "cm-1234-2024-rev-1",
        "REV 1",
    ),
    ("PE-CONS 12/24", "PE-CONS 12 2024 INIT", "PE-CONS 12/24", "pe-cons-12-2024-init", ""),
    (
        "ST 9068 2022 ADD 1 REV 1",
        "ST 9068 2022 ADD 1 REV 1",
        "9068/1/22 ADD 1 REV 1",
        "st-9068-2022-add-1-rev-1",
        "ADD 1 REV 1",
    ),
    (
        "ST 5802 2014 REV 3 COR 1",
        "ST 5802 2014 REV 3 COR 1",
        "5802/3/14 REV 3 COR 1",
        "st-5802-2014-rev-3-cor-1",
        "REV 3 COR 1",
    ),
    # years that cannot round-trip through two digits keep four
    ("ST 1234 1960", "ST 1234 1960 INIT", "1234/1960", "st-1234-1960-init", ""),
    (
        "ST 1234 2070 REV 1",
        "ST 1234 2070 REV 1",
        "1234/1/2070 REV 1",
        "st-1234-2070-rev-1",
        "REV 1",
    ),
    ("ST 1234 1970", "ST 1234 1970 INIT", "1234/70", "st-1234-1970-init", ""),
    ("ST 1234 2069", "ST 1234 2069 INIT", "1234/69", "st-1234-2069-init", ""),
    ("ST 1234 2005", "ST 1234 2005 INIT", "1234/05", "st-1234-2005-init", ""),
]


@pytest.mark.parametrize(("text", "canonical", "cover", "slug", "suffix"), OUTPUTS)
def test_reference_renders_canonical_cover_slug_and_suffix(
    text: str, canonical: str, cover: str, slug: str, suffix: str
) -> None:
    reference = parse_document_reference(text)
    assert reference.canonical == canonical
    assert str(reference) == canonical
    assert reference.cover == cover
    assert reference.slug == slug
    assert reference.suffix == suffix


@pytest.mark.parametrize(("text", "canonical", "cover", "slug", "suffix"), OUTPUTS)
def test_every_rendering_parses_back_to_the_same_reference(
    text: str, canonical: str, cover: str, slug: str, suffix: str
) -> None:
    reference = parse_document_reference(text)
    for rendering in (canonical, cover, slug):
        assert parse_document_reference(rendering) == reference


BAD_REFERENCES = [
    ("XX 1234/24", r"unknown series 'XX'.* in 'XX 1234/24'"),
    ("COM 1234/24", r"unknown series 'COM'"),
    ("5397/2", r"malformed year '2' \(expected 2 or 4 digits after '/'\) in '5397/2'"),
    ("5397/202", r"malformed year '202'"),
    ("5397/20245", r"malformed year '20245'"),
    ("5397/", r"malformed year ''"),
    ("5397/2100", r"year 2100 out of range 1952\.\.2099 in '5397/2100'"),
    ("ST 5397 1951", r"year 1951 out of range 1952\.\.2099"),
    ("ST 5397 24", r"register form needs a 4-digit year, got '24'"),
    ("ST 5397 202 INIT", r"register form needs a 4-digit year, got '202'"),
    ("ST 5397", r"missing year after document number '5397'"),
    ("ST 5397 REV 1", r"missing year after document number '5397'"),
    (
        "ST 5397 2024 REV",
        r"suffix REV has no number \(expected e\.g\. 'REV 1'\) in 'ST 5397 2024 REV'",
    ),
    ("5397/24 ADD", r"suffix ADD has no number"),
    ("5397/24 COR REV 1", r"suffix COR has no number"),
    ("5397/24 ADD 1 ADD 2", r"duplicate suffix ADD \(ADD 1 and ADD 2\)"),
    ("5397/24 REV 1 REV 1", r"duplicate suffix REV"),
    ("5397/24 INIT INIT", r"duplicate suffix INIT"),
    ("5397/24 INIT REV 1", r"INIT cannot be combined with other suffixes \(REV 1\)"),
    ("5397/24 ADD 1 INIT", r"INIT cannot be combined with other suffixes \(ADD 1\)"),
    ("5802/3/14", r"revision counter 3 but no REV in '5802/3/14'"),
    ("5802/3/14 ADD 1", r"revision counter 3 but no REV"),
    ("5802/2/14 REV 3", r"revision counter 2 disagrees with REV 3 in '5802/2/14 REV 3'"),
    ("5802/1/2/14 REV 1", r"malformed cover reference '5802/1/2/14'"),
    ("0/24", r"document number 0 out of range 1\.\.99999"),
    ("ST 0 2024", r"document number 0 out of range"),
    ("123456/24", r"document number 123456 out of range 1\.\.99999"),
    ("5397/24 REV 0", r"REV number 0 out of range 1\.\.999"),
    ("5397/24 ADD 1000", r"ADD number 1000 out of range 1\.\.999"),
    ("5397/24 FINAL", r"unexpected 'FINAL' where a suffix"),
    ("5397/24.", r"malformed year '24\.'"),
    ("", r"empty reference in ''"),
    ("   \u00a0 ", r"empty reference"),
    ("garbage", r"no document number found in 'garbage'"),
    ("hello world", r"no document number found"),
    ("ST", r"no document number found"),
    ("REV 1", r"no document number found before suffix REV"),
    ("!!!", r"no document number found"),
    ("5397/24" + " " * 74, r"longer than any real reference"),
    ("1" * 81, r"input is 81 characters, longer than any real reference \(at most 80\)"),
    ("x" * 10_000, r"input is 10000 characters, longer than any real reference"),
]


@pytest.mark.parametrize(("text", "message"), BAD_REFERENCES)
def test_bad_reference_is_rejected_with_a_specific_message(text: str, message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        parse_document_reference(text)


def test_invalid_reference_is_a_value_error_carrying_problem_and_text() -> None:
    with pytest.raises(ValueError, match="unknown series") as caught:
        parse_document_reference("XX 1234/24")
    assert caught.value.problem.startswith("unknown series 'XX'")
    assert caught.value.text == "XX 1234/24"


def test_eighty_characters_is_still_accepted() -> None:
    text = "5397/24".ljust(80)
    assert len(text) == 80
    assert parse_document_reference(text) == doc("ST", 5397, 2024)


@pytest.mark.parametrize("value", [None, 5397, b"5397/24"])
def test_non_string_input_is_rejected(value: object) -> None:
    with pytest.raises(InvalidReference, match="expected a string"):
        parse_document_reference(value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# The DocumentReference value
# --------------------------------------------------------------------------------------------

BAD_VALUES = [
    ({"series": "XX"}, r"unknown series 'XX'"),
    ({"series": "st"}, r"unknown series 'st'"),
    ({"number": 0}, r"document number 0 out of range"),
    ({"number": 100_000}, r"document number 100000 out of range"),
    ({"number": True}, r"document number True out of range"),
    ({"number": "5397"}, r"document number '5397' out of range"),
    ({"year": 24}, r"year 24 out of range 1952\.\.2099"),
    ({"year": 2100}, r"year 2100 out of range"),
    ({"suffixes": (("INIT", 1),)}, r"INIT is not stored as a suffix"),
    ({"suffixes": (("FOO", 1),)}, r"unknown suffix 'FOO'"),
    ({"suffixes": (("ADD", 1), ("ADD", 2))}, r"duplicate suffix ADD"),
    ({"suffixes": (("REV", 0),)}, r"REV number 0 out of range 1\.\.999"),
    ({"suffixes": (("REV", 1000),)}, r"REV number 1000 out of range"),
    ({"suffixes": (("REV",),)}, r"is not a \(kind, number\) pair"),
    ({"suffixes": "ADD 1"}, r"not a string"),
    ({"suffixes": 5}, r"must be \(kind, number\) pairs"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_VALUES)
def test_constructing_with_bad_values_raises(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"series": "ST", "number": 5397, "year": 2024, "suffixes": ()}
    fields.update(changes)
    with pytest.raises(InvalidReference, match=message):
        DocumentReference(**fields)  # type: ignore[arg-type]


def test_construction_normalises_suffix_order_and_containers() -> None:
    reference = DocumentReference("ST", 9068, 2022, [["REV", 1], ["ADD", 1]])  # type: ignore[arg-type]
    assert reference.suffixes == (("ADD", 1), ("REV", 1))
    assert reference == doc("ST", 9068, 2022, ("ADD", 1), ("REV", 1))
    assert hash(reference) == hash(doc("ST", 9068, 2022, ("ADD", 1), ("REV", 1)))


def test_reference_is_immutable() -> None:
    reference = doc("ST", 5397, 2024)
    with pytest.raises(AttributeError):
        reference.number = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "is_initial"),
    [("5397/24", True), ("WK 9107/2022 INIT", True), ("9068/22 ADD 1", False)],
)
def test_is_initial_is_true_only_without_suffixes(text: str, is_initial: bool) -> None:
    assert parse_document_reference(text).is_initial is is_initial


def test_base_drops_every_suffix() -> None:
    reference = parse_document_reference("9068/1/22 ADD 1 REV 1")
    assert reference.base == doc("ST", 9068, 2022)
    assert reference.base.is_initial


@pytest.mark.parametrize(
    ("suffixes", "expected"),
    [
        ("REV 1 ADD 1", (("ADD", 1), ("REV", 1))),
        ("", ()),
        ("INIT", ()),
        ((("COR", 1), ("ADD", 2)), (("ADD", 2), ("COR", 1))),
        ([], ()),
    ],
)
def test_with_suffixes_returns_a_new_normalised_reference(
    suffixes: str | tuple[tuple[str, int], ...], expected: tuple[tuple[str, int], ...]
) -> None:
    original = doc("ST", 9068, 2022, ("EXT", 1))
    changed = original.with_suffixes(suffixes)
    assert changed.suffixes == expected
    assert (changed.series, changed.number, changed.year) == ("ST", 9068, 2022)
    assert original.suffixes == (("EXT", 1),)


@pytest.mark.parametrize(
    ("suffixes", "message"),
    [("REV", r"suffix REV has no number"), ((("ADD", 1), ("ADD", 2)), r"duplicate suffix ADD")],
)
def test_with_suffixes_validates(suffixes: str | tuple[tuple[str, int], ...], message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        doc("ST", 9068, 2022).with_suffixes(suffixes)


# --------------------------------------------------------------------------------------------
# Suffix chains
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("   ", ()),
        ("INIT", ()),
        ("init", ()),
        ("ADD 1", (("ADD", 1),)),
        ("ADD 1 REV 1", (("ADD", 1), ("REV", 1))),
        ("REV 1 ADD 1", (("ADD", 1), ("REV", 1))),
        ("rev1 add2", (("ADD", 2), ("REV", 1))),
        (
            "COR 1 REV 2 DCL 3 EXT 4 ADD 5",
            (("ADD", 5), ("EXT", 4), ("DCL", 3), ("REV", 2), ("COR", 1)),
        ),
        ("add-1-rev-1", (("ADD", 1), ("REV", 1))),
        ("ADD\u00a0 01", (("ADD", 1),)),
    ],
)
def test_suffix_chain_parses_to_canonical_pairs(
    text: str, expected: tuple[tuple[str, int], ...]
) -> None:
    assert parse_suffix_chain(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("REV", r"suffix REV has no number.* in 'REV'"),
        ("ADD 1 ADD 1", r"duplicate suffix ADD"),
        ("INIT REV 1", r"INIT cannot be combined with other suffixes \(REV 1\)"),
        ("REV 1 INIT", r"INIT cannot be combined"),
        ("FOO 1", r"unexpected 'FOO' where a suffix"),
        ("1", r"unexpected '1' where a suffix"),
        ("COR 0", r"COR number 0 out of range"),
        ("ADD 1 " * 14, r"longer than any real reference"),
    ],
)
def test_bad_suffix_chain_is_rejected(text: str, message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        parse_suffix_chain(text)


# --------------------------------------------------------------------------------------------
# Procedure references
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023/0452(COD)", ProcedureReference(2023, 452, "COD")),
        ("2017/0125 (COD)", ProcedureReference(2017, 125, "COD")),
        ("2017/0298/NLE", ProcedureReference(2017, 298, "NLE")),
        ("2017/0298(nle)", ProcedureReference(2017, 298, "NLE")),
        ("INI/2010/2103", ProcedureReference(2010, 2103, "INI")),
        ("2023-0452-cod", ProcedureReference(2023, 452, "COD")),
        ("  2023 / 0452  ( COD )  ", ProcedureReference(2023, 452, "COD")),
        ("2023/452(COD)", ProcedureReference(2023, 452, "COD")),
        ("2023\u00a0/\u00a00452\u00a0(COD)", ProcedureReference(2023, 452, "COD")),
        ("1999/0001(SYN)", ProcedureReference(1999, 1, "SYN")),
        ("2020/9999(RSP)", ProcedureReference(2020, 9999, "RSP")),
    ],
)
def test_every_procedure_spelling_parses(text: str, expected: ProcedureReference) -> None:
    assert parse_procedure_reference(text) == expected


def test_procedure_renders_canonical_and_slug() -> None:
    procedure = ProcedureReference(2023, 452, "COD")
    assert procedure.canonical == "2023/0452(COD)"
    assert str(procedure) == "2023/0452(COD)"
    assert procedure.slug == "2023-0452-cod"
    assert ProcedureReference(2010, 2103, "INI").canonical == "2010/2103(INI)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023/0452(XYZ)", r"unknown procedure type 'XYZ'.* in '2023/0452\(XYZ\)'"),
        ("2023/0452/FOO", r"unknown procedure type 'FOO'"),
        ("2023/12345(COD)", r"procedure number 12345 out of range 1\.\.9999"),
        ("2023/0000(COD)", r"procedure number 0 out of range"),
        ("23/0452(COD)", r"procedure year '23' must have 4 digits"),
        ("1951/0452(COD)", r"procedure year 1951 out of range 1952\.\.2099"),
        ("2100/0452(COD)", r"procedure year 2100 out of range"),
        ("garbage", r"not a procedure reference.* in 'garbage'"),
        ("2023/0452", r"not a procedure reference"),
        ("2023/0452(COD", r"not a procedure reference"),
        ("5397/24", r"not a procedure reference"),
        ("", r"empty reference"),
        ("2023/0452(COD)" + " " * 70, r"longer than any real reference"),
    ],
)
def test_bad_procedure_is_rejected_with_a_specific_message(text: str, message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        parse_procedure_reference(text)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((2023, 452, "cod"), r"unknown procedure type 'cod'"),
        ((2023, 0, "COD"), r"procedure number 0 out of range"),
        ((23, 452, "COD"), r"procedure year 23 out of range"),
    ],
)
def test_constructing_a_bad_procedure_raises(fields: tuple[int, int, str], message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        ProcedureReference(*fields)


# --------------------------------------------------------------------------------------------
# Finding references in running text
# --------------------------------------------------------------------------------------------


def covers(text: str) -> list[str]:
    return [reference.cover for reference in find_document_references(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9068/22 ADD 1, ADD 2 and ADD 3", ["9068/22 ADD 1", "9068/22 ADD 2", "9068/22 ADD 3"]),
        ("10589/17 + COR 1 + ADD 1", ["10589/17", "10589/17 COR 1", "10589/17 ADD 1"]),
        ("9068/22 ADD 1, ADD 2, and ADD 3.", ["9068/22 ADD 1", "9068/22 ADD 2", "9068/22 ADD 3"]),
        ("9068/1/22 ADD 1 REV 1, ADD 2", ["9068/1/22 ADD 1 REV 1", "9068/22 ADD 2"]),
        ("ST 5397 2024 INIT & ADD 1", ["5397/24", "5397/24 ADD 1"]),
        ("WK 13259/20", ["WK 13259/2020 INIT"]),
        ("WK 9107/2022 INIT", ["WK 9107/2022 INIT"]),
        ("ST 5397 2024 INIT", ["5397/24"]),
        ("doc. 5802/3/14 REV 3", ["5802/3/14 REV 3"]),
        ("CM 1234/24", ["CM 1234/24"]),
        ("PE-CONS 12/24 and SN 45/24", ["PE-CONS 12/24", "SN 45/24"]),
        ("wk 9107/2022 and st 5397/24", ["WK 9107/2022 INIT", "5397/24"]),
        ("¹ 9068/22 ADD 1, p. 267-278", ["9068/22 ADD 1"]),
        ("¹9068/22 ADD 1 and 5397/24²", ["9068/22 ADD 1", "5397/24"]),
        ("(5397/24)", ["5397/24"]),
        ("see 5397/24 REV1", ["5397/1/24 REV 1"]),
        ("5397/24 and 5397/24 and ST 5397 2024 INIT", ["5397/24"]),
        ("9068/22 ADD 1 and 2", ["9068/22 ADD 1"]),
    ],
)
def test_find_extracts_and_expands_citations(text: str, expected: list[str]) -> None:
    assert covers(text) == expected


TRAPS = [
    "17/01/2024",
    "22/06/22",
    "1-2 June 2022",
    "2022/06/22",
    "Regulation (EU) 2021/1232",
    "Directive 2002/58/EC",
    "Directive 95/46/EC",
    "Regulation (EC) No 1049/2001",
    "Regulation (EU) No 182/2011",
    "Regulation (EU) 2019/88",
    "Council Decision 2014/77/EU",
    "No. 123/45",
    "2023/0452(COD)",
    "2017/0298/NLE",
    "COM(2022) 209 final",
    "Article 11(6)",
    "Art. 4/2",
    "Article 123/45",
    "p. 267-278",
    "pp. 267/278",
    "1/3 of the votes",
    "EUR 1/2 million",
    "24/7",
    "Case C-311/18",
    "Case 120/78",
    "OJ C 202/12",
    "1234/5678",
    "12345/2024",
    "5397/24/EU",
    "5397/24-25",
    "A5397/24",
    "x/5397/24",
    "10 cm 30/40",
    "5802/3/14",
    "5802/2/14 REV 3",
    "ST 5397 24",
]


@pytest.mark.parametrize("text", TRAPS)
def test_find_ignores_things_that_only_look_like_references(text: str) -> None:
    assert find_document_references(f"See {text} here.") == []


def test_find_skips_invalid_candidates_silently() -> None:
    text = "5802/2/14 REV 3, 5397/24 ADD 1 ADD 2, WK 1/2100 and 9068/22 ADD 1, ADD 0, COR 1"
    assert covers(text) == ["9068/22 ADD 1", "9068/22 COR 1"]


def test_find_in_a_paragraph_mixing_citations_and_traps() -> None:
    text = (
        "The Presidency refers to its note 5397/24 (WK 13259/20 was the earlier non-paper) and "
        "to the Commission proposal COM(2022) 209 final, set out in 9068/22 ADD 1, ADD 2 and "
        "ADD 3. The Working Party met on 17/01/2024, on 22/06/22 and on 1-2 June 2022. "
        "Regulation (EU) 2021/1232 derogates from Directive 2002/58/EC; Directive 95/46/EC was "
        "repealed; see also Regulation (EC) No 1049/2001 and Regulation (EU) No 182/2011. "
        "Procedure 2023/0452(COD) follows 2017/0298/NLE. Under Article 11(6) and Art. 4/2, on "
        "pages 267-278, 1/3 of the Member States, EUR 1/2 million, available 24/7. See also "
        "doc. 5802/3/14 REV 3, 10589/17 + COR 1 + ADD 1, CM 1234/24, WK 9107/2022 INIT and "
        "ST 5397 2024 INIT (already cited above)."
    )
    assert find_document_references(text) == [
        doc("ST", 5397, 2024),
        doc("WK", 13259, 2020),
        doc("ST", 9068, 2022, ("ADD", 1)),
        doc("ST", 9068, 2022, ("ADD", 2)),
        doc("ST", 9068, 2022, ("ADD", 3)),
        doc("ST", 5802, 2014, ("REV", 3)),
        doc("ST", 10589, 2017),
        doc("ST", 10589, 2017, ("COR", 1)),
        doc("ST", 10589, 2017, ("ADD", 1)),
        doc("CM", 1234, 2024),
        doc("WK", 9107, 2022),
    ]


def test_find_on_a_real_cover_page() -> None:
    text = (
        "Brussels, 17 January 2024 (OR. en) 5397/24 Interinstitutional File: 2023/0452(COD) "
        "LIMITE JAI 64 ENFOPOL 15 ... NOTE From: Presidency To: Delegations Subject: Case "
        "studies to illustrate the implementation of the Regulation (EU) 2021/1232 ... "
        "Regulation (EU) 2021/1232 of the European Parliament and of the Council on a temporary "
        "derogation from certain provisions of Directive 2002/58/EC ... ¹ 9068/22 ADD 1, "
        "p. 267-278"
    )
    assert find_document_references(text) == [
        doc("ST", 5397, 2024),
        doc("ST", 9068, 2022, ("ADD", 1)),
    ]


def test_find_on_text_without_references_is_empty() -> None:
    assert find_document_references("") == []
    assert find_document_references("No documents were cited.") == []


def test_find_does_not_recognise_bare_four_digit_years() -> None:
    # Documented limitation: a bare cover reference needs a two-digit year.
    assert find_document_references("see 5397/2024") == []
    assert find_document_references("see ST 5397/2024") == [doc("ST", 5397, 2024)]


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

suffix_chains = st.dictionaries(st.sampled_from(SUFFIX_KINDS), st.integers(1, 999)).map(
    lambda chosen: tuple(sorted(chosen.items(), key=lambda item: SUFFIX_KINDS.index(item[0])))
)
references = st.builds(
    DocumentReference,
    series=st.sampled_from(SERIES),
    number=st.integers(1, 99_999),
    year=st.integers(1952, 2099),
    suffixes=suffix_chains,
)
procedures = st.builds(
    ProcedureReference,
    year=st.integers(1952, 2099),
    number=st.integers(1, 9_999),
    type=st.sampled_from(PROCEDURE_TYPES),
)
spaces = st.sampled_from([" ", "  ", "\u00a0", "\t"])


@given(references)
def test_every_rendering_round_trips(reference: DocumentReference) -> None:
    assert parse_document_reference(reference.canonical) == reference
    assert parse_document_reference(reference.cover) == reference
    assert parse_document_reference(reference.slug) == reference
    assert parse_document_reference(str(reference)) == reference


@given(references)
def test_suffix_round_trips_through_the_chain_parser(reference: DocumentReference) -> None:
    assert parse_suffix_chain(reference.suffix) == reference.suffixes
    assert reference.with_suffixes(reference.suffix) == reference
    assert reference.base.with_suffixes(reference.suffixes) == reference


@given(references, st.data())
def test_noisy_respellings_parse_to_the_same_reference(
    reference: DocumentReference, data: st.DataObject
) -> None:
    text = data.draw(st.sampled_from([reference.canonical, reference.cover]))
    if data.draw(st.booleans(), label="glue suffix numbers"):
        text = re.sub(r"\b(ADD|EXT|DCL|REV|COR) (?=\d)", r"\1", text)
    if data.draw(st.booleans(), label="glue series"):
        text = re.sub(r"^([A-Z-]+) (?=\d)", r"\1", text)
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(char.lower() if flip else char for char, flip in zip(text, flips, strict=True))
    text = "".join(data.draw(spaces) if char == " " else char for char in text)
    text = data.draw(spaces) + text + data.draw(spaces)
    assume(len(text) <= 80)
    assert parse_document_reference(text) == reference


@given(references, st.permutations(range(len(SUFFIX_KINDS))))
def test_suffix_order_in_the_input_does_not_matter(
    reference: DocumentReference, order: list[int]
) -> None:
    shuffled = sorted(reference.suffixes, key=lambda item: order[SUFFIX_KINDS.index(item[0])])
    chain = " ".join(f"{kind} {n}" for kind, n in shuffled)
    text = f"{reference.series} {reference.number} {reference.year} {chain}"
    assert parse_document_reference(text) == reference
    direct = DocumentReference(reference.series, reference.number, reference.year, tuple(shuffled))
    assert direct == reference


@given(procedures)
def test_procedure_renderings_round_trip(procedure: ProcedureReference) -> None:
    assert parse_procedure_reference(procedure.canonical) == procedure
    assert parse_procedure_reference(procedure.slug) == procedure
    assert parse_procedure_reference(str(procedure)) == procedure


@given(references)
def test_find_recognises_a_cited_cover_reference(reference: DocumentReference) -> None:
    if reference.series == "ST":
        # A bare citation needs a number of 3+ digits and a two-digit year.
        assume(reference.number >= 100 and 1970 <= reference.year <= 2069)
    assert find_document_references(f"see {reference.cover} and") == [reference]


@given(references)
def test_find_recognises_a_cited_register_reference(reference: DocumentReference) -> None:
    assert find_document_references(f"see {reference.canonical}.") == [reference]


reference_alphabet = st.text(
    alphabet="0123456789/ -STWKCMPEONSREVADINTXCOR(),.+\u00a0", max_size=90
)


@given(st.one_of(st.text(max_size=90), reference_alphabet))
def test_parsers_only_ever_raise_invalid_reference(text: str) -> None:
    for parse in (parse_document_reference, parse_procedure_reference, parse_suffix_chain):
        with contextlib.suppress(InvalidReference):
            parse(text)


@given(st.one_of(st.text(max_size=300), reference_alphabet))
def test_find_never_raises_and_returns_distinct_references(text: str) -> None:
    found = find_document_references(text)
    assert all(isinstance(reference, DocumentReference) for reference in found)
    assert len(found) == len(set(found))


@pytest.mark.parametrize(
    "text",
    [
        "the 2022/23 financial year",
        "during the 2023/24 season",
        "a budget of EUR 1 500/24 months",
        "see pages 267/78 of the report",
        "see pp. 267/78",
    ],
)
def test_find_skips_year_spans_amounts_and_pages(text):
    assert find_document_references(text) == []


def test_a_number_on_the_line_before_is_no_thousands_separator():
    # "EUR 1 500/24" is an amount; a date ending one line and a reference starting the next
    # are two things (a cover page read line by line).
    assert covers("Brussels, 17 January 2024\n5397/24") == ["5397/24"]
    assert covers("EUR 1 500/24") == []


# --------------------------------------------------------------------------------------------
# Scanning: spans and the candidates that fail validation
# --------------------------------------------------------------------------------------------


def test_scan_gives_each_citation_with_its_span_and_group():
    text = "See 10589/17 + COR 1 and WK 13259/20."

    matches = scan_document_references(text)

    assert [text[m.start : m.end] for m in matches] == ["10589/17 + COR 1", "WK 13259/20"]
    assert [[r.cover for r in m.references] for m in matches] == [
        ["10589/17", "10589/17 COR 1"],
        ["WK 13259/2020 INIT"],
    ]
    assert all(m.problem is None for m in matches)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("5802/3/14 REV 2", "revision counter 3 disagrees with REV 2"),
        ("5802/3/14", "revision counter 3 but no REV"),
        ("WK 1/2100", "year 2100 out of range 1952..2099"),
        ("5397/24 ADD 1 ADD 2", "duplicate suffix ADD (ADD 1 and ADD 2)"),
    ],
)
def test_scan_reports_the_candidates_find_skips(text, problem):
    matches = scan_document_references(f"cover: {text}\n")

    assert [(m.references, m.problem) for m in matches] == [((), problem)]
    assert find_document_references(text) == []


@given(st.one_of(st.text(max_size=300), reference_alphabet))
def test_find_is_the_valid_part_of_scan(text: str) -> None:
    scanned = [r for m in scan_document_references(text) for r in m.references]
    assert find_document_references(text) == list(dict.fromkeys(scanned))


# --------------------------------------------------------------------------------------------
# Finding procedures in running text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Interinstitutional File: 2023/0452(COD)", ["2023/0452(COD)"]),
        ("Interinstitutional files: 2022/0155 (COD) 2017/0125 (cod)",
         ["2022/0155(COD)", "2017/0125(COD)"]),
        ("see 2017/0298/NLE and INI/2010/2103", ["2017/0298(NLE)", "2010/2103(INI)"]),
        ("2023/0452(COD), again 2023/0452 (COD)", ["2023/0452(COD)"]),
    ],
)  # fmt: skip
def test_find_procedures_in_every_spelling(text, expected):
    assert [p.canonical for p in find_procedure_references(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Regulation (EU) 2021/1232",
        "Directive 2002/58/EC",
        "Council Decision 2008/615/JHA",
        "Regulation (EC) No 1049/2001",
        "5397/24",
        "COM(2022) 209 final",
        "2023/0452(XYZ)",
        "12023/0452(COD)",
    ],
)
def test_find_procedures_ignores_acts_documents_and_unknown_types(text):
    assert find_procedure_references(f"See {text} here.") == []


@given(
    procedures, st.sampled_from(["{c}", "{y}/{n:04d} ({t})", "{y}/{n:04d}/{t}", "{t}/{y}/{n:04d}"])
)
def test_find_procedures_recognises_every_rendering(procedure, form):
    text = form.format(c=procedure.canonical, y=procedure.year, n=procedure.number,
                       t=procedure.type)  # fmt: skip
    found = scan_procedure_references(f"File: {text}; next")
    assert [m.procedure for m in found] == [procedure]
