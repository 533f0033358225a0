"""Text out of files: .txt, .pdf (text layer), .docx; what cannot give text is refused, named."""

import io
import zipfile

import pytest
from pypdf import PdfWriter

from documents.intake import parse_cover
from documents.intake.text import UnreadableFile, text_from_bytes, text_from_path
from tests.documents.intake.covers import NOTE, lines_layout
from tests.documents.intake.files import cover_docx, cover_pdf, image_only_pdf


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """No Django settings or files needed here (overrides the suite-wide fixture)."""


HEADER = [
    ("Council of the", "Brussels, 17 January 2024"), ("European Union", "(OR. en)"),
    ("", "5397/24"), ("Interinstitutional File:", "LIMITE"), ("2023/0452(COD)", ""),
    ("", "JAI 64 ENFOPOL 15"), ("", "CODEC 90"), ("", "NOTE"),
]  # fmt: skip
LABELS = [
    ("From:", ["Presidency"]), ("To:", ["Delegations"]),
    ("Subject:", ["Case studies to illustrate the",
                  "implementation of the Regulation (EU) 2021/1232"]),
]  # fmt: skip
SUBJECT = "Case studies to illustrate the implementation of the Regulation (EU) 2021/1232"


def test_a_text_file_in_utf8_is_read_as_it_is():
    text = lines_layout(NOTE)
    assert text_from_bytes(("\ufeff" + text).encode(), "note.txt").text == text


def test_a_windows_text_file_is_read_and_says_so():
    extracted = text_from_bytes("Th\u00e9r\u00e8se BLANCHET".encode("cp1252"), "old.txt")
    assert extracted.text == "Th\u00e9r\u00e8se BLANCHET"
    assert extracted.notes == ("not UTF-8: read as Windows-1252",)


@pytest.mark.parametrize("footer_first", [False, True])
def test_a_pdf_with_page_footers_reads_back_its_cover(footer_first):
    pdf = cover_pdf(
        HEADER, LABELS,
        [["To illustrate the effectiveness, see 9068/22 ADD 1."], ["Annex: WK 13259/20."]],
        footer=["5397/24      JV/ml      1", "JAI.1      LIMITE      EN"],
        footer_first=footer_first,
    )  # fmt: skip

    text = text_from_bytes(pdf, "5397-24.pdf").text
    cover = parse_cover(text)

    assert text.count("\f") == 2  # three pages
    assert cover.reference.cover == "5397/24"
    assert cover.subject == SUBJECT
    assert [str(c) for c in cover.subject_codes] == ["JAI 64", "ENFOPOL 15", "CODEC 90"]
    assert [r.cover for r in cover.cited_documents] == ["9068/22 ADD 1", "WK 13259/2020 INIT"]
    assert (cover.originator, cover.recipients, cover.distribution) == (
        "Presidency", "Delegations", "LIMITE",
    )  # fmt: skip
    assert cover.warnings == ()


def test_a_docx_is_read_with_its_label_table():
    docx = cover_docx(
        ["Council of the European Union", "Brussels, 17 January 2024", "(OR. en)", "5397/24",
         "LIMITE", "JAI 64", "CODEC 90", "NOTE"],
        [("From:", "Presidency"), ("To:", "Delegations"), ("Subject:", SUBJECT)],
        ["", "Delegations will find attached 9068/22 ADD 1."],
    )  # fmt: skip

    cover = parse_cover(text_from_bytes(docx, "5397-24.docx").text)

    assert (cover.reference.cover, cover.subject, cover.originator) == (
        "5397/24", SUBJECT, "Presidency",
    )  # fmt: skip
    assert cover.warnings == ()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("scan.pdf", image_only_pdf(), "is a PDF of 2 page(s) without a text layer (a scanned "
         "image?): it needs OCR before it can be read"),
        ("blank.pdf", blank_pdf(), "without a text layer"),
        ("empty.pdf", b"", "is empty"),
        ("spaces.txt", b"  \n ", "is empty"),
        ("corrupt.pdf", b"%PDF-1.7\n%garbage without objects", "is a corrupt PDF"),
        ("renamed.pdf", b"PK\x03\x04 not a pdf", "is not a PDF (it does not start with %PDF-)"),
        ("binary.txt", b"\x00\x01\x02 text", "is not text (it contains NUL bytes)"),
        ("old.doc", b"\xd0\xcf\x11\xe0", ".doc is not read here (only .txt, .pdf, .docx)"),
        ("corrupt.docx", b"not a zip", "is a corrupt .docx (not a zip archive)"),
        ("other.docx", zipped(readme=b"x"), "is not a Word document (no word/document.xml)"),
        ("entities.docx", None, "declares entities"),
    ],
)  # fmt: skip
def test_what_gives_no_text_is_refused_naming_the_file_and_why(name, data, problem):
    if name == "entities.docx":
        data = zipped(**{"word__document.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'})
    with pytest.raises(UnreadableFile) as raised:
        text_from_bytes(data, name)

    assert problem in str(raised.value)
    assert str(raised.value).startswith(f"{name}: ")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 11)

    with pytest.raises(UnreadableFile, match=r"big.txt: is 11 bytes; the limit is 10"):
        text_from_path(path, max_bytes=10)
