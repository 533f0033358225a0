"""The text of a document file: ``.txt``, ``.pdf`` (its text layer) or ``.docx``.

Pure Python (pypdf for PDF, the standard library for the rest): no Django. A file that cannot
give text, because it is empty, corrupt, encrypted, a scanned image without a text layer or of
a type not read here, raises :class:`UnreadableFile` saying which and why; it is never passed
on as garbage for the parser to guess at.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

__all__ = [
    "READABLE_SUFFIXES",
    "ExtractedText",
    "UnreadableFile",
    "text_from_bytes",
    "text_from_path",
]

READABLE_SUFFIXES = (".txt", ".pdf", ".docx")
PAGE_BREAK = "\f"
# A .docx whose text is larger than this unpacked is refused (a zip bomb, not a cover page).
MAX_DOCX_XML_BYTES = 200 * 1024 * 1024

_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class UnreadableFile(ValueError):
    """A file the intake cannot get text from; the message names the file and the reason."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


@dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str
    notes: tuple[str, ...] = ()
    """How the text was read, when it is worth knowing (``not UTF-8: read as Windows-1252``)."""


def text_from_path(path: str | Path, *, max_bytes: int | None = None) -> ExtractedText:
    """The text of the file at ``path`` (see :func:`text_from_bytes`); a file over
    ``max_bytes`` is refused before it is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise UnreadableFile(path.name, f"is {size} bytes; the limit is {max_bytes}")
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(path.name, f"cannot be read ({error.strerror or error})") from None
    return text_from_bytes(data, path.name)


def text_from_bytes(data: bytes, name: str) -> ExtractedText:
    """The text of a file's content, by the file's type (its name's suffix).

    PDF pages are separated by form feeds (``\\f``). Raises :class:`UnreadableFile`.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        readable = ", ".join(READABLE_SUFFIXES)
        raise UnreadableFile(name, f"{suffix or 'a file without a suffix'} is not read here "
                             f"(only {readable})")  # fmt: skip
    if not data.strip():
        raise UnreadableFile(name, "is empty")
    if suffix == ".pdf":
        return ExtractedText(_pdf_text(data, name))
    if suffix == ".docx":
        return ExtractedText(_docx_text(data, name))
    return _plain_text(data, name)


def _plain_text(data: bytes, name: str) -> ExtractedText:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(name, "is not text (it contains NUL bytes)")
    try:
        return ExtractedText(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        # Older registers were kept on Windows; the parser's warnings say it was read so.
        return ExtractedText(data.decode("cp1252", errors="replace"),
                             ("not UTF-8: read as Windows-1252",))  # fmt: skip


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip().startswith(b"%PDF-"):
        raise UnreadableFile(name, "is not a PDF (it does not start with %PDF-)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable: not our noise
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(name, "is an encrypted PDF (remove the password first)")
        pages = [_page_text(page) for page in reader.pages]
    except UnreadableFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, NotImplementedError) as error:  # fmt: skip
        raise UnreadableFile(name, f"is a corrupt PDF ({type(error).__name__}: {error})") from None
    if not pages:
        raise UnreadableFile(name, "is a PDF without pages")
    if not any(page.strip() for page in pages):
        raise UnreadableFile(
            name,
            f"is a PDF of {len(pages)} page(s) without a text layer (a scanned image?): "
            "it needs OCR before it can be read",
        )
    if not pages[0].strip():
        raise UnreadableFile(
            name, "its first page (the cover) has no text layer (a scanned image?)"
        )
    return f"\n{PAGE_BREAK}\n".join(pages)


def _page_text(page) -> str:
    """A page's text as laid out (columns side by side, paragraphs apart), falling back to
    plain extraction where the layout mode gives up."""
    try:
        return page.extract_text(extraction_mode="layout")
    except Exception:  # pypdf's layout mode raises a variety of errors on odd fonts
        return page.extract_text()


def _docx_text(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                raise UnreadableFile(
                    name, "is not a Word document (no word/document.xml)"
                ) from None
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise UnreadableFile(name, f"unpacks to {info.file_size} bytes of text")
            xml = archive.read(info)
    except zipfile.BadZipFile:
        raise UnreadableFile(name, "is a corrupt .docx (not a zip archive)") from None
    if re.search(rb"<!DOCTYPE|<!ENTITY", xml[:4096]):
        raise UnreadableFile(name, "is not a plain Word document (it declares entities)")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise UnreadableFile(name, f"is a corrupt .docx ({error})") from None
    body = root.find(f"{_WORD}body")
    if body is None:
        raise UnreadableFile(name, "is a Word document without a body")
    return "\n".join(_block_lines(body))


def _block_lines(element) -> list[str]:
    """Paragraphs as lines; a table's rows as lines, their cells separated by tabs."""
    lines: list[str] = []
    for child in element:
        if child.tag == f"{_WORD}p":
            lines.append(_paragraph_text(child))
        elif child.tag == f"{_WORD}tbl":
            for row in child.iter(f"{_WORD}tr"):
                cells = [
                    " ".join(_paragraph_text(p) for p in cell.iter(f"{_WORD}p")).strip()
                    for cell in row.iter(f"{_WORD}tc")
                ]
                lines.append("\t".join(cells))
        elif child.tag == f"{_WORD}sdt":  # content controls wrap paragraphs
            content = child.find(f"{_WORD}sdtContent")
            if content is not None:
                lines += _block_lines(content)
    return lines


def _paragraph_text(paragraph) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_WORD}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_WORD}tab":
            parts.append("\t")
        elif node.tag in (f"{_WORD}br", f"{_WORD}cr"):
            parts.append("\n")
    return "".join(parts)
