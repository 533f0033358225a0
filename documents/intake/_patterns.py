"""The shapes the cover parser looks for, compiled once (pure Python), and the normalising of
extracted text."""

from __future__ import annotations

import functools
import re

from documents.intake.vocabulary import DOCUMENT_TYPES, KNOWN_SUBJECT_CODES
from documents.references import DocumentReference, scan_document_references

# --------------------------------------------------------------------------------------------
# Normalising what extraction produces
# --------------------------------------------------------------------------------------------

_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")
_ANGLE_LINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>")
_EMPHASIS = re.compile(r"\*\*|__")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n\f]+")
_CHARACTERS = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl",
        "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
        "\r": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n",
        **dict.fromkeys("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", " "),
    }
)  # fmt: skip


def normalise(text: str) -> str:
    """Text as the parser reads it: link and emphasis markers gone, one space between words,
    lines stripped, page breaks (form feeds) on lines of their own."""
    text = text.replace("\r\n", "\n").translate(_CHARACTERS)
    text = _ANGLE_LINK.sub(" ", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = text.replace("\f", "\n\f\n")
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_DATE = (
    r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\.?\s+(?P<month>(?i:" + "|".join(_MONTHS) + r"))"
    r"\s+(?P<year>[0-9]{4})"
)
_DATE_ONLY = re.compile(rf"^{_DATE}[.,;]?$")
_PLACE_DATE = re.compile(
    rf"(?<![\w-])(?P<place>[A-Z][A-Za-z\u00c0-\u024f'-]+)\s*,\s*{_DATE}(?!\w)"
    r"(?:\s*\([0-9]{1,2}\.[0-9]{1,2}\))?"  # old covers: "(13.03)", the day it was sent out
)
_ORIGINAL_LANGUAGE = re.compile(
    r"\(\s*OR\s*\.?\s*(?P<codes>[A-Za-z]{2}(?:\s*[,/]\s*[A-Za-z]{2})*)\s*\)", re.IGNORECASE
)
_HEADING = re.compile(
    r"(?i:council\s+of\s+the\s+european\s+union)"
    r"|(?i:council\s+of\s+the)(?=\s|$)|(?i:council\s+of)(?=\s*$)"
    r"|(?i:(?:the\s+)?european\s+union)"
    r"|(?i:general\s+secretariat(?:\s+of\s+the\s+council)?)",
    re.MULTILINE,
)
_WK_DISCLAIMER = re.compile(
    r"This\s+is\s+a\s+paper\s+intended\s+for\s+a\s+specific\s+community\s+of\s+recipients\."
    r"(?:\s+Handling\s+and\s+further\s+distribution\s+are\s+under\s+the\s+sole\s+"
    r"responsibility\s+of\s+community\s+members\.)?",
    re.IGNORECASE,
)
_INTERINSTITUTIONAL = re.compile(r"Interinstitutional\s+files?\s*:", re.IGNORECASE)
_LIMITE = re.compile(r"(?<![\w-])LIMITE(?![\w-])")
_PUBLIC = re.compile(r"(?<![\w-])PUBLIC(?![\w-])")
_CLASSIFICATION_PATTERNS = (
    (4, r"TR[EÈ]S\s+SECRET\s+UE(?:\s*/\s*EU\s+TOP\s+SECRET)?"),
    (3, r"SECRET\s+UE(?:\s*/\s*EU\s+SECRET)?"),
    (2, r"CONFIDENTIEL\s+UE(?:\s*/\s*EU\s+CONFIDENTIAL)?"),
    (1, r"RESTREINT\s+UE(?:\s*/\s*EU\s+RESTRICTED)?"),
)
_CLASSIFICATION = re.compile(
    "|".join(
        rf"(?P<level{level}>(?<![\w-]){pattern}(?![\w-]))"
        for level, pattern in _CLASSIFICATION_PATTERNS
    )
)
_TYPE_SPELLINGS = {
    "'I/A' ITEM NOTE": r"['\"]?I/A['\"]?\s+ITEM\s+NOTE",
    "'I' ITEM NOTE": r"['\"]?I['\"]?\s+ITEM\s+NOTE",
    "NOTICE OF MEETING AND PROVISIONAL AGENDA": (
        r"(?:COMMUNICATION\s+)?NOTICE\s+OF\s+MEETING\s+AND\s+PROVISIONAL\s+AGENDA"
    ),
}


def _type_spelling(name: str) -> str:
    return _TYPE_SPELLINGS.get(name, name.replace(" ", r"\s+"))


_DOCUMENT_TYPE = re.compile(
    "|".join(
        rf"(?P<type{index}>(?<![\w'\"/]){_type_spelling(name)}(?![\w/]))"
        for index, name in sorted(enumerate(DOCUMENT_TYPES), key=lambda item: -len(item[1]))
    )
)
_COMMISSION_DOCUMENT = re.compile(
    r"(?<![\w])(?P<kind>COM|SEC|SWD|JOIN|C)\s*\(\s*(?P<year>[0-9]{4})\s*\)\s*(?P<number>[0-9]{1,5})"
    r"(?:\s*(?P<final>final))?(?:\s*/\s*(?P<version>[0-9]))?",
    re.IGNORECASE,
)

# Labels of the cover, and other labels (meeting notices, contact details) that end a value.
_COVER_LABELS = {
    "originator": r"from",
    "recipients": r"to",
    "on": r"on",
    "date_of_receipt": r"date\s+of\s+receipt",
    "previous_documents": r"nos?\s*\.?\s*prev(?:ious)?\s*\.?\s*docs?\s*\.?",
    "commission_documents": r"nos?\s*\.?\s*(?:cion|commission)\s*\.?\s*(?:docs?|props?)\s*\.?",
    "subject": r"subject",
}
_OTHER_LABELS = r"contact|tel\s*\.?\s*/\s*fax|tel|fax|e-?mail|date|time|venue|encl\s*\.?"
_LABEL = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _COVER_LABELS.items())
    + rf"|(?P<other>{_OTHER_LABELS})"
    + r")\s*:",
    re.IGNORECASE,
)
_LABEL_NAMES = {
    "originator": "From:",
    "recipients": "To:",
    "on": "On:",
    "date_of_receipt": "date of receipt:",
    "previous_documents": "No. prev. doc.:",
    "commission_documents": "No. Cion doc.:",
    "subject": "Subject:",
}
# Where the body starts: openings of the first paragraph (at a line's start, or anywhere in a
# line when the text has lost its line breaks).
_OPENING = re.compile(
    r"(?:^|(?<=\s))(?:Delegations\s+(?:will\s+find|are\s+(?:invited|informed|requested)|find)"
    r"|With\s+a\s+view\s+to|Please\s+find\s+attached|Encl\.\s*:"
    r"|(?:I|1)\.\s+(?:INTRODUCTION|Introduction|BACKGROUND|Background)"
    r"|INTRODUCTION(?=\s|$))"
)
# A sentence ending inside what was read as a subject: prose, not a title.
_SENTENCE_END = re.compile(r"(?P<word>[\w)\]\"'.]+)[.!?](?P<end>\s+[A-Z][a-z]|\s*$)")
_ABBREVIATIONS = frozenset(
    {"no", "nos", "art", "arts", "mr", "ms", "mrs", "dr", "st", "vol", "p", "pp", "e.g", "i.e",
     "cf", "doc", "prev", "cion", "ref"}
)  # fmt: skip
_FOOTER_TAIL = (
    r"(?:\s+(?:[A-Z]{1,4}/[a-z]{1,4}|[0-9]{1,4}|[A-Z]{2,8}(?:\.[0-9A-Z]{1,3})+"
    r"|LIMITE|[A-Z]{2}(?![\w/])))+"
)
# A reference standing alone in a header, in cover form (see read_reference_standing_alone).
_HEADER_REFERENCE = re.compile(
    r"(?<![\w/.-])(?:(?:ST|CM|SN|DS|PE-CONS|WK)\s*)?[0-9]{1,5}(?:/[0-9]{1,3})?/(?:[0-9]{4}|[0-9]{2})"
    r"(?:\s+(?:INIT|(?:ADD|EXT|DCL|REV|COR)\s*[0-9]{1,3}))*(?![\w/])"
)
# A footer line that marks the page LIMITE: "LIMITE", "JAI.1 LIMITE EN", "LIMITE EN".
_FOOTER_LIMITE = re.compile(r"^(?:[A-Z]{2,8}(?:\.[0-9A-Z]{1,3})+\s+)?LIMITE(?:\s+[A-Z]{2})?$")
_FOOTER_TAIL_AFTER = re.compile(_FOOTER_TAIL)
_FOOTER_MARK = re.compile(r"[A-Z]{1,4}/[a-z]{1,4}|[A-Z]{2,8}(?:\.[0-9A-Z]{1,3})+")


@functools.lru_cache(maxsize=8)
def _code_pattern(known: frozenset[str]) -> re.Pattern[str]:
    spaced = sorted((code for code in known if " " in code), key=len, reverse=True)
    alternatives = [re.escape(code).replace(r"\ ", r"\s+") for code in spaced]
    alternatives.append(r"[A-Z][A-Z0-9]*(?:[/-][A-Z0-9]+)*")
    return re.compile(
        rf"(?<![\w/.'-])(?P<code>{'|'.join(alternatives)})"
        r"(?:\s+(?P<number>[0-9]{1,5}))?(?![\w/.'-])"
    )


_DEFAULT_CODE_PATTERN = _code_pattern(KNOWN_SUBJECT_CODES)


def _own_reference_at(text: str, reference: DocumentReference) -> int | None:
    """Where ``text`` first cites ``reference`` itself (a page footer repeating it), or None."""
    for match in scan_document_references(text):
        if match.references[:1] == (reference,):
            return match.start
    return None


def _commission_document(match: re.Match[str]) -> str:
    written = f"{match['kind'].upper()}({match['year']}) {match['number']}"
    if match["final"]:
        written += " final"
    if match["version"]:
        written += f"/{match['version']}"
    return written
