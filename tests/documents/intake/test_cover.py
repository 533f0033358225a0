"""parse_cover: the samples field by field, every layout of DOMAIN.md, generated covers in
every layout, and what it warns about (pure Python: no database)."""

from __future__ import annotations

import dataclasses
import datetime
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from documents.intake import (
    CLASSIFICATIONS,
    DOCUMENT_TYPES,
    LANGUAGES,
    CoverPage,
    CoverSubjectCode,
    parse_cover,
)
from documents.intake._patterns import normalise
from documents.intake.vocabulary import WITHOUT_FROM_TO
from documents.references import PROCEDURE_TYPES, DocumentReference, ProcedureReference
from tests.documents.intake.covers import (
    DOMAIN_COVERS,
    LAYOUT_WARNINGS,
    LAYOUTS,
    NOTE,
    CoverSpec,
    codes,
    doc,
    everything_flattened_layout,
    lines_layout,
    proc,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """No Django settings or files needed here (overrides the suite-wide fixture)."""


def fields_of(cover: CoverPage) -> dict:
    return {
        f.name: getattr(cover, f.name) for f in dataclasses.fields(cover) if f.name != "warnings"
    }


def warnings_of(cover: CoverPage) -> list[str]:
    return [str(warning) for warning in cover.warnings]


def unexpected_warnings(cover: CoverPage, spec: CoverSpec, layout: str) -> list[str]:
    allowed = list(LAYOUT_WARNINGS.get(layout, []))
    if spec.language is None:
        allowed.append("no original language")
    return [w for w in warnings_of(cover) if not any(a in w for a in allowed)]


# --- the samples -----------------------------------------------------------------------------


def test_the_st_sample_is_read_field_by_field():
    """Each expected value typed from the cover page of shared/samples/st_5397_24_..."""
    cover = parse_cover((FIXTURES / "st_5397_24_limite_note.txt").read_text(encoding="utf-8"))

    assert fields_of(cover) == {
        "reference": DocumentReference("ST", 5397, 2024),
        "date": datetime.date(2024, 1, 17),
        "place": "Brussels",
        "original_language": "en",
        "procedures": (ProcedureReference(2023, 452, "COD"),),
        "distribution": "LIMITE",
        "classification": None,
        "public_stamp": False,
        "subject_codes": (
            CoverSubjectCode("JAI", 64),
            CoverSubjectCode("ENFOPOL", 15),
            CoverSubjectCode("CRIMORG", 7),
            CoverSubjectCode("IXIM", 12),
            CoverSubjectCode("DATAPROTECT", 25),
            CoverSubjectCode("CYBER", 9),
            CoverSubjectCode("COPEN", 13),
            CoverSubjectCode("FREMP", 20),
            CoverSubjectCode("TELECOM", 15),
            CoverSubjectCode("COMPET", 54),
            CoverSubjectCode("MI", 50),
            CoverSubjectCode("CONSOM", 19),
            CoverSubjectCode("DIGIT", 14),
            CoverSubjectCode("CODEC", 90),
        ),
        "document_type": "NOTE",
        "originator": "Presidency",
        "recipients": "Delegations",
        "on": None,
        "date_of_receipt": None,
        "previous_documents": (),
        "commission_documents": (),
        "subject": "Case studies to illustrate the implementation of the Regulation (EU) 2021/1232",
        # footnote 1: "9068/22 ADD 1, p. 267-278"; Regulation (EU) 2021/1232 is not one
        "cited_documents": (DocumentReference("ST", 9068, 2022, (("ADD", 1),)),),
        "has_heading": True,
    }
    assert cover.warnings == ()


def test_the_wk_sample_is_read_field_by_field():
    cover = parse_cover(
        (FIXTURES / "wk_9107_2022_meeting_document.txt").read_text(encoding="utf-8")
    )

    assert fields_of(cover) == {
        "reference": DocumentReference("WK", 9107, 2022),
        "date": datetime.date(2022, 6, 23),
        "place": "Brussels",
        "original_language": None,  # this cover has no "(OR. ..)"
        "procedures": (ProcedureReference(2022, 155, "COD"),),  # written "2022/0155 (COD)"
        "distribution": "LIMITE",
        "classification": None,
        "public_stamp": False,
        "subject_codes": tuple(
            CoverSubjectCode(code)
            for code in (
                "JAI",
                "ENFOPOL",
                "CRIMORG",
                "IXIM",
                "DATAPROTECT",
                "CYBER",
                "COPEN",
                "FREMP",
                "TELECOM",
                "COMPET",
                "MI",
                "CONSOM",
                "DIGIT",
                "CODEC",
            )
        ),
        "document_type": "MEETING DOCUMENT",
        "originator": "General Secretariat of the Council",
        "recipients": "Law Enforcement Working Party (Police)",
        "on": None,
        "date_of_receipt": None,
        "previous_documents": (),
        "commission_documents": (),
        "subject": "Proposal for a Regulation of the European Parliament and of the Council "
        "laying down rules to prevent and combat child sexual abuse - presentations",
        # the page footer repeats WK 9107/2022 INIT: the document itself, not a citation
        "cited_documents": (),
        "has_heading": True,
    }
    assert warnings_of(cover) == [
        "original_language: no original language ('(OR. en)') on the cover"
    ]


def test_the_parser_imports_no_django():
    """Pure like references.py: a fresh interpreter imports it without Django."""
    import subprocess

    code = (
        "import sys, documents.intake; documents.intake.parse_cover('x'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert finished.stdout.strip() == "[]"


# --- every layout DOMAIN.md names, on every cover kind it names --------------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", list(DOMAIN_COVERS))
def test_every_cover_kind_reads_back_in_every_layout(kind, layout):
    spec = DOMAIN_COVERS[kind]

    cover = parse_cover(LAYOUTS[layout](spec))

    assert fields_of(cover) == fields_of(spec.expected())
    assert unexpected_warnings(cover, spec, layout) == []


def test_layouts_say_what_the_issue_names():
    """The variants are what they claim to be (a guard on the generator itself)."""
    note = NOTE
    assert "\n" not in LAYOUTS["flattened"](note).split("\n\n")[0]
    assert LAYOUTS["upper-case"](note).startswith("COUNCIL OF\nTHE EUROPEAN UNION")
    assert "from :\tPresidency" in LAYOUTS["upper-case"](note)
    assert "5802/3/14 REV 3" in lines_layout(DOMAIN_COVERS["rev-with-counter"])
    assert "On:\t7 March 2024" in lines_layout(DOMAIN_COVERS["outcome-of-proceedings"])
    assert "date of receipt:\t11 May 2022" in lines_layout(DOMAIN_COVERS["proposal"])
    assert "From:" not in lines_layout(DOMAIN_COVERS["summary-record"])
    assert "Interinstitutional files:" in lines_layout(DOMAIN_COVERS["wk"])
    assert "\f" in LAYOUTS["footers"](replace_pages(note))
    assert "[here](#)" in LAYOUTS["noisy"](note)


def replace_pages(spec: CoverSpec) -> CoverSpec:
    return dataclasses.replace(spec, pages=3)


def test_page_footers_on_every_page_are_neither_citations_nor_codes():
    cover = parse_cover(LAYOUTS["footers"](replace_pages(NOTE)))

    assert fields_of(cover) == fields_of(NOTE.expected())
    assert cover.warnings == ()


def test_a_whole_document_on_one_line_ends_its_subject_at_the_body():
    spec = DOMAIN_COVERS["wk"]

    cover = parse_cover(everything_flattened_layout(spec))

    assert cover.subject == spec.subject
    assert cover.reference == spec.reference


# --- generated covers, every layout ----------------------------------------------------------

CODE_POOL = ("JAI", "ENFOPOL", "CRIMORG", "COPEN", "CODEC", "MI", "CFSP/PESC", "CRS CRP",
             "TELECOM", "DIGIT")  # fmt: skip
WORDS = [
    "proposal",
    "regulation",
    "council",
    "conclusions",
    "on",
    "the",
    "of",
    "and",
    "for",
    "draft",
    "framework",
    "data",
    "protection",
    "police",
    "cooperation",
    "child",
    "sexual",
    "abuse",
    "revised",
    "text",
    "presidency",
    "compromise",
    "general",
    "approach",
    "exchange",
    "views",
    "working",
    "document",
    "implementation",
]
SENDERS = ("Presidency", "General Secretariat of the Council", "Commission",
           "German delegation", "Permanent Representatives Committee (Part 2)")  # fmt: skip
RECIPIENTS = ("Delegations", "Council", "Coreper", "Law Enforcement Working Party (Police)")


@st.composite
def references(draw, *, cited: bool = False) -> DocumentReference:
    """A cover's own reference (any number), or one cited in running text, which the finder
    only takes with 3 digits or more and not shaped like a year span (2023/24)."""
    series = draw(st.sampled_from(["ST", "ST", "WK", "CM"]))
    suffixes = draw(
        st.sampled_from([(), (("ADD", 1),), (("REV", 2),), (("ADD", 2), ("REV", 1)), (("COR", 1),)])
    )
    number = draw(st.integers(100 if cited else 1, 99_999))
    year = draw(st.integers(1995, 2035))
    if cited and series == "ST" and 1952 <= number <= 2099 and (number + 1) % 100 == year % 100:
        number += 2
    return DocumentReference(series, number, year, suffixes)


@st.composite
def cover_specs(draw) -> CoverSpec:
    reference = draw(references())
    numbered = reference.series == "ST"
    year = reference.year
    date = draw(st.dates(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    kind = draw(st.sampled_from(DOCUMENT_TYPES))
    chosen = draw(st.lists(st.sampled_from(CODE_POOL), min_size=1, max_size=5, unique=True))
    subject_codes = tuple(
        CoverSubjectCode(code, draw(st.integers(1, 9999)) if numbered else None) for code in chosen
    )
    limite = draw(st.booleans())
    classification = draw(st.sampled_from([None, None, None, *CLASSIFICATIONS.values()]))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=18))
    cited = draw(st.lists(references(cited=True), max_size=3, unique=True))
    previous = draw(st.lists(references(cited=True), max_size=2, unique=True))
    with_from_to = kind not in WITHOUT_FROM_TO
    return CoverSpec(
        reference=reference,
        date=date,
        subject=" ".join(words).capitalize(),
        document_type=kind,
        place=draw(st.sampled_from(["Brussels", "Luxembourg", "Strasbourg"])),
        language=draw(st.sampled_from(LANGUAGES)),
        procedures=tuple(
            draw(
                st.lists(
                    st.builds(
                        ProcedureReference,
                        year=st.integers(1995, 2035),
                        number=st.integers(1, 9999),
                        type=st.sampled_from(PROCEDURE_TYPES),
                    ),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        limite=limite,
        classification=classification,
        # a PUBLIC stamp marks a released LIMITE document (never a classified one)
        public_stamp=limite and classification is None and draw(st.booleans()),
        codes=subject_codes,
        originator=draw(st.sampled_from(SENDERS)) if with_from_to else None,
        recipients=draw(st.sampled_from(RECIPIENTS)) if with_from_to else None,
        on=draw(st.none() | st.dates(datetime.date(1995, 1, 1), datetime.date(2035, 12, 31))),
        date_of_receipt=draw(
            st.none() | st.dates(datetime.date(1995, 1, 1), datetime.date(2035, 12, 31))
        ),
        previous=tuple(r for r in previous if r != reference),
        commission=draw(st.sampled_from([(), ("COM(2022) 209 final",), ("SWD(2021) 12 final",)])),
        cited=tuple(r for r in cited if r != reference),
    )


@settings(max_examples=60, deadline=None)
@given(spec=cover_specs(), layout=st.sampled_from(list(LAYOUTS)))
def test_a_generated_cover_reads_back_the_same_in_every_layout(spec, layout):
    cover = parse_cover(LAYOUTS[layout](spec))

    assert fields_of(cover) == fields_of(spec.expected())
    assert unexpected_warnings(cover, spec, layout) == []


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=400))
def test_the_parser_never_raises_on_any_text(text):
    cover = parse_cover(text)
    assert isinstance(cover.warnings, tuple)


# --- what it warns about, and leaves empty ---------------------------------------------------


def parsed(**changes) -> CoverPage:
    return parse_cover(lines_layout(dataclasses.replace(NOTE, **changes)))


def test_a_rev_counter_contradicting_its_suffix_leaves_the_reference_empty():
    cover = parse_cover(lines_layout(NOTE).replace("5397/24", "5802/3/14 REV 2"))

    assert cover.reference is None
    assert cover.warnings_about("reference") == [
        "'5802/3/14 REV 2' is not a valid reference: revision counter 3 disagrees with REV 2"
    ]


def test_two_references_on_a_cover_leave_it_empty():
    cover = parse_cover(lines_layout(NOTE).replace("5397/24", "5397/24\nCM 1234/24"))

    assert cover.reference is None
    assert cover.warnings_about("reference") == [
        "several references on the cover: 5397/24, CM 1234/24"
    ]


def test_labels_printed_together_on_one_line_leave_their_values_empty():
    text = (
        "Council of the European Union Brussels, 17 January 2024 (OR. en) 5397/24 LIMITE "
        "JAI 64 NOTE From: To: Subject: Presidency Delegations Case studies\n\nBody."
    )

    cover = parse_cover(text)

    assert (cover.originator, cover.recipients, cover.subject) == (None, None, None)
    assert "From:, To:, Subject: are printed together" in warnings_of(cover)[0]


def test_a_subject_running_into_prose_is_left_empty():
    text = lines_layout(NOTE).replace(
        f"Subject:\t{NOTE.subject}\n\n",
        f"Subject:\t{NOTE.subject}\nThis is the body. It goes on.\n",
    )

    cover = parse_cover(text)

    assert cover.subject is None
    assert "reads as prose" in cover.warnings_about("subject")[0]


def test_a_subject_with_nothing_marking_its_end_is_left_empty():
    text = lines_layout(NOTE).split("Subject:")[0] + "Subject: " + " ".join(["word"] * 120)

    cover = parse_cover(text)

    assert cover.subject is None
    assert "nothing marking where it ends" in cover.warnings_about("subject")[0]


@pytest.mark.parametrize(
    ("replace_from", "replace_to", "field", "message"),
    [
        ("(OR. en)", "(OR. xx)", "original_language", "'xx' is not an official language"),
        ("(OR. en)", "(OR. en, fr)", "original_language", "several original languages"),
        ("17 January 2024", "31 February 2024", "date", "'Brussels, 31 February 2024' is not"),
        ("NOTE\n", "NOTE\nREPORT\n", "document_type", "several document types: NOTE, REPORT"),
        ("JAI 64", "JAI", "subject_codes", "JAI without a number on an ST cover"),
        ("Interinstitutional File: 2023/0452(COD)", "Interinstitutional File:", "procedures",
         "'Interinstitutional File:' without a procedure reference"),
        ("From:\tPresidency", "From:\tPresidency\nFrom:\tCommission", "originator",
         "From: appears twice: kept the first"),
        ("On:", "On:", None, None),
    ],
)  # fmt: skip
def test_what_cannot_be_read_with_confidence_is_named(replace_from, replace_to, field, message):
    cover = parse_cover(lines_layout(NOTE).replace(replace_from, replace_to))

    if field is None:
        assert cover.warnings == ()
        return
    assert any(message in warning for warning in cover.warnings_about(field)), warnings_of(cover)


def test_unread_text_on_the_cover_is_named_not_dropped():
    cover = parse_cover(lines_layout(NOTE).replace("LIMITE\n", "LIMITE\nDRAFT ONLY\n"))

    assert "unread on the cover: 'DRAFT ONLY'" in warnings_of(cover)


def test_markings_err_on_the_safe_side():
    two = parse_cover(
        lines_layout(NOTE).replace("LIMITE\n", "RESTREINT UE/EU RESTRICTED\nSECRET UE/EU SECRET\n")
    )
    assert two.classification == "SECRET UE/EU SECRET"
    assert "kept the highest" in two.warnings_about("classification")[0]

    footer_only = parse_cover(LAYOUTS["lines"](dataclasses.replace(NOTE, limite=False)) +
                              "\f\n5397/24 JV/ml 2\nJAI.1 LIMITE EN\n")  # fmt: skip
    assert footer_only.distribution == "LIMITE"
    assert footer_only.warnings_about("distribution") == [
        "LIMITE on the pages but not on the cover: kept LIMITE"
    ]


def test_numbered_codes_on_a_wk_cover_are_named():
    cover = parsed(reference=doc("WK 1234/2024 INIT"), codes=codes("JAI 5"))

    assert "numbered codes on a WK cover" in cover.warnings_about("subject_codes")[0]


def test_codes_with_a_slash_or_a_space_keep_their_numbers():
    cover = parsed(codes=codes("CFSP/PESC 1122", "CRS CRP 31", "JAI 64"))

    assert [str(code) for code in cover.subject_codes] == ["CFSP/PESC 1122", "CRS CRP 31", "JAI 64"]


def test_a_code_known_to_the_register_only_is_read_when_passed():
    text = lines_layout(dataclasses.replace(NOTE, reference=doc("WK 1/2024"), codes=codes("ZETA")))

    assert "unread on the cover: 'ZETA'" in warnings_of(parse_cover(text))
    assert parse_cover(text, known_subject_codes=["ZETA"]).subject_codes == codes("ZETA")


def test_commission_documents_and_previous_documents_are_canonical():
    cover = parsed(
        previous=(doc("9068/22 ADD 1"), doc("WK 13259/20")),
        commission=("COM(2022) 209 final", "SWD(2022) 209 final"),
    )

    assert [r.canonical for r in cover.previous_documents] == [
        "ST 9068 2022 ADD 1", "WK 13259 2020 INIT",
    ]  # fmt: skip
    assert cover.commission_documents == ("COM(2022) 209 final", "SWD(2022) 209 final")


def test_json_has_exactly_the_issues_keys():
    assert list(parse_cover(lines_layout(NOTE)).as_json()) == [
        "reference", "date", "place", "original_language", "procedures", "distribution",
        "classification", "public_stamp", "subject_codes", "document_type", "from", "to", "on",
        "date_of_receipt", "previous_documents", "commission_documents", "subject",
        "cited_documents", "warnings",
    ]  # fmt: skip


def test_normalising_removes_link_and_emphasis_markers_and_space_runs():
    assert normalise("**LIMITE**  \t x [here](#) <https://a.eu/b> \u201cI/A\u201d ﬁle") == (
        "LIMITE x here 'I/A' file".replace("'I/A'", '"I/A"')
    )


def test_the_vocabularies_agree_with_the_register():
    from documents.intake.vocabulary import NUMBERED_CODE_SERIES
    from documents.models.choices import (
        NUMBERED_SUBJECT_CODE_SERIES,
        Classification,
        DocumentType,
        Language,
    )

    assert set(LANGUAGES) == set(Language.values)
    assert set(DOCUMENT_TYPES) == set(DocumentType.values) - {"OTHER"}
    assert {level: label for level, label in Classification.choices if level} == CLASSIFICATIONS
    assert set(NUMBERED_SUBJECT_CODE_SERIES) == NUMBERED_CODE_SERIES


def test_procedures_in_every_spelling_are_read():
    text = lines_layout(NOTE).replace("2023/0452(COD)", "2017/0125 (COD) 2017/0298/NLE")

    assert parse_cover(text).procedures == (proc("2017/0125(COD)"), proc("2017/0298(NLE)"))


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2023/24", "ST 2023 2024 INIT"),
        ("5/24", "ST 5 2024 INIT"),
        ("12/1/24 REV 1", "ST 12 2024 REV 1"),
    ],
)
def test_a_reference_standing_alone_in_the_header_is_read(written, canonical):
    """Running text takes 2023/24 for a financial year and 5/24 for a fraction; a cover's
    header, where the reference stands alone, does not."""
    cover = parse_cover(lines_layout(NOTE).replace("5397/24", written, 1))

    assert cover.reference.canonical == canonical
    assert cover.warnings == ()
