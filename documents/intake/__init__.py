"""Document intake: reading a Council cover page from a file's text (pure Python, no Django).

``parse_cover(text) -> CoverPage`` reads the cover; ``text_from_file`` gets the text out of a
``.txt``, ``.pdf`` or ``.docx`` file. The services that register what was read live in
``documents.services.intake``.
"""

from documents.intake.cover import (
    CLASSIFICATIONS,
    DOCUMENT_TYPES,
    KNOWN_SUBJECT_CODES,
    LANGUAGES,
    CoverPage,
    CoverSubjectCode,
    CoverWarning,
    parse_cover,
)
from documents.intake.reading import ReadCover, read_cover
from documents.intake.text import READABLE_SUFFIXES, UnreadableFile, text_from_bytes, text_from_path

__all__ = [
    "CLASSIFICATIONS",
    "DOCUMENT_TYPES",
    "KNOWN_SUBJECT_CODES",
    "LANGUAGES",
    "READABLE_SUFFIXES",
    "CoverPage",
    "CoverSubjectCode",
    "CoverWarning",
    "ReadCover",
    "UnreadableFile",
    "parse_cover",
    "read_cover",
    "text_from_bytes",
    "text_from_path",
]
