"""Reading the cover page of a Council document: ``parse_cover(text) -> CoverPage``.

Pure standard-library module (no Django import), like ``documents.references``, whose parsers
and finders it uses for document references and procedures.

The cover is read in two parts:

1. **The header**, everything before the first label (``From:``, ``Subject:``...): the heading
   (``Council of the European Union``), place and date, ``(OR. en)``, the reference, the
   interinstitutional files, the markings (``LIMITE``, a classification, a ``PUBLIC`` release
   stamp), the document type and the subject codes. Each item is found by its own shape, not
   by its line, so a header flattened onto one line, or printed in two columns and read back
   interleaved, reads the same. Every recognised item is blanked out; whatever is left is
   named in a warning ("unread on the cover"), never dropped silently.
2. **The labels**, ``From:``, ``To:``, ``On:``, ``date of receipt:``, ``No. prev. doc.:``,
   ``No. Cion doc.:`` / ``No. Cion prop.:`` and ``Subject:``, with their values: on the same
   line, on the next lines, or printed apart (a column of labels, then a column of values),
   in which case they are paired in the order printed and a warning says so. Labels whose
   values cannot be paired (``From: To: Subject: Presidency Delegations ...`` on one line) are
   left empty. The subject ends at a blank line, a page break, a page footer repeating the
   reference, another label or a known opening of the body (``Delegations will find``); when
   none marks its end, or what was read runs into prose, it is left empty.

Text from real extraction is normalised first: link markers (``[here](#)``, ``<https://...>``),
emphasis markers (``**``), runs of spaces and tabs, typographic quotes, ligatures and
superscript footnote markers.

Whatever cannot be read with confidence is left empty (``None`` or ``()``) and named in
``warnings``, one :class:`CoverWarning` per problem, with the field it concerns. Markings err
on the safe side: two classifications keep the higher one, a LIMITE marking found only in the
page footers still makes the document LIMITE, each with a warning.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from documents.references import (
    DocumentReference,
    InvalidReference,
    ProcedureReference,
    find_document_references,
    parse_document_reference,
    scan_document_references,
    scan_procedure_references,
)

__all__ = [
    "CLASSIFICATIONS",
    "DOCUMENT_TYPES",
    "KNOWN_SUBJECT_CODES",
    "LANGUAGES",
    "CoverPage",
    "CoverSubjectCode",
    "CoverWarning",
    "parse_cover",
]

LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
    "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
"""The 24 official languages (ISO 639-1), as ``documents.models.Language`` (a test holds them
equal)."""

DOCUMENT_TYPES: tuple[str, ...] = (
    "NOTE",
    "'I/A' ITEM NOTE",
    "'I' ITEM NOTE",
    "COVER NOTE",
    "PROPOSAL",
    "OUTCOME OF PROCEEDINGS",
    "NOTICE OF MEETING AND PROVISIONAL AGENDA",
    "SUMMARY RECORD",
    "MEETING DOCUMENT",
    "REPORT",
    "LEGISLATIVE ACTS AND OTHER INSTRUMENTS",
)
"""Type lines of cover pages, as printed (``documents.models.DocumentType`` but OTHER)."""

# Covers of these types name no sender or recipients (unconfirmed for the last one).
WITHOUT_FROM_TO = frozenset(
    {
        "SUMMARY RECORD",
        "NOTICE OF MEETING AND PROVISIONAL AGENDA",
        "LEGISLATIVE ACTS AND OTHER INSTRUMENTS",
    }
)

# Series whose covers number their subject codes (documents.models.choices.
# NUMBERED_SUBJECT_CODE_SERIES; a test holds them equal).
NUMBERED_CODE_SERIES = frozenset({"ST", "PE-CONS"})

CLASSIFICATIONS: dict[int, str] = {
    1: "RESTREINT UE/EU RESTRICTED",
    2: "CONFIDENTIEL UE/EU CONFIDENTIAL",
    3: "SECRET UE/EU SECRET",
    4: "TRES SECRET UE/EU TOP SECRET",
}
"""EU classification levels and their markings, as ``documents.models.Classification``."""

# Best knowledge of the Council's subject codes (unconfirmed; the register's own table is
# passed to parse_cover by the commands and the admin). A code not listed is still read when it
# carries a number; without one it is reported as unread text.
KNOWN_SUBJECT_CODES: frozenset[str] = frozenset(
    {
        "ACP", "AGRI", "AGRIFIN", "AGRILEG", "AGRIORG", "AGRISTR", "ANTIDUMPING", "ASIM", "ATO",
        "AUDIO", "AVIATION", "BUDGET", "CADREFIN", "CATS", "CCG", "CFSP/PESC", "CLIMA", "CODEC",
        "COAFR", "COARM", "COASI", "COCON", "CODUN", "COEST", "COHAFA", "COHOM", "COLAT", "COMAG",
        "COMEM", "COMER", "COMPET", "COMIX", "CONOP", "CONSOM", "CONUN", "COPEN", "COPS",
        "CORDROGUE", "COSDP", "COSI", "COTER", "COTRA", "COWEB", "CRIMORG", "CSC", "CSDP/PSDC",
        "CULT", "CYBER", "DATAPROTECT", "DENLEG", "DEVGEN", "DIGIT", "DROIPEN", "ECOFIN", "EDUC",
        "EF", "ELARG", "EMPL", "ENER", "ENFOCUSTOM", "ENFOPOL", "ENV", "ESPACE", "ETS", "FIN",
        "FISC", "FREMP", "FRONT", "GENVAL", "HYBRID", "IND", "INF", "INST", "IXIM", "JAI", "JAIEX",
        "JEUN", "JUR", "JURINFO", "MAMA", "MAR", "MED", "MI", "MIGR", "MOG", "OC", "PARLNAT",
        "PECHE", "PHARM", "POLGEN", "PROCIV", "RECH", "RELEX", "SAN", "SCHENGEN", "SIRIS", "SOC",
        "SPORT", "STATIS", "SUCRE", "SURE", "TELECOM", "TOUR", "TRANS", "UD", "UEM", "VISA", "WTO",
        "CRS CRP",
    }
)  # fmt: skip

MAX_SUBJECT_LINES = 8
MAX_SUBJECT_CHARACTERS = 600
# A value that goes on longer than this without a line break, and without anything marking
# where it ends, is the body run into the cover (text extracted without line breaks).
MAX_UNMARKED_LINE = 300

# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoverWarning:
    """What the parser could not read with confidence, and the field it concerns (``None``:
    the cover as a whole)."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message if self.field is None else f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class CoverSubjectCode:
    """``JAI 64`` as printed on a cover (``number`` None on WK covers)."""

    code: str
    number: int | None = None

    def __str__(self) -> str:
        return self.code if self.number is None else f"{self.code} {self.number}"


@dataclass(frozen=True, slots=True)
class CoverPage:
    """What a cover page says. Empty (``None``, ``()``) where it says nothing or where the
    parser could not read it with confidence, which ``warnings`` then names."""

    reference: DocumentReference | None = None
    date: datetime.date | None = None
    place: str | None = None
    original_language: str | None = None
    procedures: tuple[ProcedureReference, ...] = ()
    distribution: str | None = None
    """``"LIMITE"``, or None (no marking)."""
    classification: str | None = None
    """One of :data:`CLASSIFICATIONS`' markings, or None."""
    public_stamp: bool = False
    """A ``PUBLIC`` stamp: a LIMITE document released to the public."""
    subject_codes: tuple[CoverSubjectCode, ...] = ()
    document_type: str | None = None
    originator: str | None = None
    """``From:``."""
    recipients: str | None = None
    """``To:``."""
    on: datetime.date | None = None
    """``On:``: the meeting an outcome of proceedings reports on."""
    date_of_receipt: datetime.date | None = None
    previous_documents: tuple[DocumentReference, ...] = ()
    commission_documents: tuple[str, ...] = ()
    """``COM(2022) 209 final``..."""
    subject: str | None = None
    cited_documents: tuple[DocumentReference, ...] = ()
    """Every document cited anywhere in the text but the document itself."""
    has_heading: bool = False
    """Whether the cover says ``Council of the European Union``."""
    warnings: tuple[CoverWarning, ...] = ()

    @property
    def classification_level(self) -> int:
        """0 (not classified) to 4, as ``documents.models.Classification``."""
        levels = {marking: level for level, marking in CLASSIFICATIONS.items()}
        return levels.get(self.classification or "", 0)

    def warnings_about(self, name: str) -> list[str]:
        return [warning.message for warning in self.warnings if warning.field == name]

    def with_warnings(self, warnings: Iterable[CoverWarning]) -> CoverPage:
        return replace(self, warnings=(*self.warnings, *warnings))

    def as_json(self) -> dict:
        """The keys of ``manage.py parse_cover --json``: references canonical, dates ISO."""

        def iso(value: datetime.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "reference": self.reference.canonical if self.reference else None,
            "date": iso(self.date),
            "place": self.place,
            "original_language": self.original_language,
            "procedures": [procedure.canonical for procedure in self.procedures],
            "distribution": self.distribution,
            "classification": self.classification,
            "public_stamp": self.public_stamp,
            "subject_codes": [str(code) for code in self.subject_codes],
            "document_type": self.document_type,
            "from": self.originator,
            "to": self.recipients,
            "on": iso(self.on),
            "date_of_receipt": iso(self.date_of_receipt),
            "previous_documents": [reference.canonical for reference in self.previous_documents],
            "commission_documents": list(self.commission_documents),
            "subject": self.subject,
            "cited_documents": [reference.canonical for reference in self.cited_documents],
            "warnings": [str(warning) for warning in self.warnings],
        }


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


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


class _Blanked:
    """The header, with each recognised item blanked out (positions kept), so that what is
    left over at the end is exactly what the parser did not read."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern[str], *, first: bool = False) -> list[re.Match[str]]:
        matches = list(pattern.finditer(self.text))
        if first:
            matches = matches[:1]
        for match in matches:
            self.blank(match.start(), match.end())
        return matches

    def blank(self, start: int, end: int) -> None:
        span = self.text[start:end]
        self.text = self.text[:start] + re.sub(r"[^\n\f]", " ", span) + self.text[end:]

    def leftovers(self) -> list[str]:
        pieces = [" ".join(line.split()) for line in self.text.split("\n")]
        return [piece for piece in pieces if re.search(r"[A-Za-z0-9]", piece)]


class _Reader:
    def __init__(self, text: str, known_codes: Iterable[str] | None) -> None:
        self.text = normalise(text)
        self.values: dict[str, object] = {}
        self.warnings: list[CoverWarning] = []
        if known_codes is None:
            self.known = KNOWN_SUBJECT_CODES
            self.code_pattern = _DEFAULT_CODE_PATTERN
        else:
            self.known = KNOWN_SUBJECT_CODES | {" ".join(c.upper().split()) for c in known_codes}
            self.code_pattern = _code_pattern(frozenset(self.known))

    def warn(self, name: str | None, message: str) -> None:
        self.warnings.append(CoverWarning(name, message))

    # --- the whole cover ----------------------------------------------------------------------

    def read(self) -> CoverPage:
        first_label = _LABEL.search(self.text)
        header_end = first_label.start() if first_label else min(len(self.text), 2000)
        if first_label is None:
            self.warn(None, "no cover labels (From:, To:, Subject:) found")
        self.read_header(self.text[:header_end])
        subject_end = self.read_labels(self.text[header_end:], offset=header_end)
        self.read_body_markings(self.text[subject_end:])
        self.read_citations()
        self.check_expected()
        return CoverPage(**self.values, warnings=tuple(self.warnings))

    # --- 1. the header ------------------------------------------------------------------------

    def read_header(self, header: str) -> None:
        blanked = _Blanked(header)
        self.values["has_heading"] = bool(blanked.take(_HEADING))
        blanked.take(_WK_DISCLAIMER)
        self.read_place_and_date(blanked)
        self.read_language(blanked)
        self.read_procedures(blanked)
        self.read_reference(blanked)
        self.read_markings(blanked)
        self.read_document_type(blanked)
        self.read_subject_codes(blanked)
        if leftovers := blanked.leftovers():
            shown = " | ".join(leftovers)
            if len(shown) > 200:
                shown = shown[:200] + "..."
            self.warn(None, f"unread on the cover: {shown!r}")

    def read_place_and_date(self, blanked: _Blanked) -> None:
        matches = blanked.take(_PLACE_DATE, first=True)
        if not matches:
            self.warn("date", "no place and date ('Brussels, 17 January 2024') on the cover")
            return
        match = matches[0]
        place = match["place"]
        self.values["place"] = place.title() if place.isupper() else place
        self.values["date"] = self.date_of(match, "date")

    def date_of(self, match: re.Match[str], name: str) -> datetime.date | None:
        month = _MONTHS.index(match["month"].lower()) + 1
        try:
            value = datetime.date(int(match["year"]), month, int(match["day"]))
        except ValueError:
            self.warn(name, f"{match.group(0)!r} is not a date")
            return None
        if not 1952 <= value.year <= 2099:
            self.warn(name, f"{match.group(0)!r} is outside 1952..2099")
            return None
        return value

    def read_language(self, blanked: _Blanked) -> None:
        matches = blanked.take(_ORIGINAL_LANGUAGE)
        if not matches:
            self.warn("original_language", "no original language ('(OR. en)') on the cover")
            return
        codes = [code.lower() for code in re.split(r"\s*[,/]\s*", matches[0]["codes"])]
        if len(matches) > 1 or len(codes) > 1:
            written = ", ".join(match.group(0) for match in matches)
            self.warn("original_language", f"several original languages: {written}")
        elif codes[0] not in LANGUAGES:
            self.warn("original_language", f"{codes[0]!r} is not an official language")
        else:
            self.values["original_language"] = codes[0]

    def read_procedures(self, blanked: _Blanked) -> None:
        labelled = blanked.take(_INTERINSTITUTIONAL)
        found = scan_procedure_references(blanked.text)
        for match in found:
            blanked.blank(match.start, match.end)
        procedures = tuple(dict.fromkeys(match.procedure for match in found))
        self.values["procedures"] = procedures
        if labelled and not procedures:
            self.warn("procedures", "'Interinstitutional File:' without a procedure reference")

    def read_reference(self, blanked: _Blanked) -> None:
        matches = scan_document_references(blanked.text)
        valid = list(dict.fromkeys(m.references[0] for m in matches if m.references))
        problems = [m for m in matches if m.problem]
        for match in problems:
            written = " ".join(blanked.text[match.start : match.end].split())
            self.warn("reference", f"{written!r} is not a valid reference: {match.problem}")
        if len(valid) > 1:
            shown = ", ".join(reference.cover for reference in valid)
            self.warn("reference", f"several references on the cover: {shown}")
        elif valid and not problems:
            self.values["reference"] = valid[0]
        elif not valid and not problems:
            self.read_reference_standing_alone(blanked)
        reference = self.values.get("reference")
        for match in matches:
            if reference is not None and match.references[:1] == (reference,):
                # A page footer extracted at the top of the page: "5397/24 JV/ml 1 JAI.1 ...".
                tail = _FOOTER_TAIL_AFTER.match(blanked.text, match.end)
                if tail and _FOOTER_MARK.search(tail.group(0)):
                    blanked.blank(tail.start(), tail.end())
            blanked.blank(match.start, match.end)

    def read_reference_standing_alone(self, blanked: _Blanked) -> None:
        """What running text would not take for a citation but a cover header states alone:
        ``2023/24`` (not the 2023/24 financial year), ``5/24`` (a short number)."""
        found = list(_HEADER_REFERENCE.finditer(blanked.text))
        if len(found) != 1:
            self.warn("reference", "no document reference ('5397/24', 'WK 9107/2022') found")
            return
        try:
            self.values["reference"] = parse_document_reference(found[0].group(0))
        except InvalidReference as error:
            self.warn(
                "reference", f"{found[0].group(0)!r} is not a valid reference: {error.problem}"
            )
            return
        blanked.blank(found[0].start(), found[0].end())

    def read_markings(self, blanked: _Blanked) -> None:
        if blanked.take(_LIMITE):
            self.values["distribution"] = "LIMITE"
        levels = [
            int(name.removeprefix("level"))
            for match in blanked.take(_CLASSIFICATION)
            for name, value in match.groupdict().items()
            if value
        ]
        if levels:
            if len(set(levels)) > 1:
                shown = ", ".join(CLASSIFICATIONS[level] for level in sorted(set(levels)))
                self.warn("classification", f"several classifications ({shown}): kept the highest")
            self.values["classification"] = CLASSIFICATIONS[max(levels)]
        self.values["public_stamp"] = bool(blanked.take(_PUBLIC))
        if self.values["public_stamp"] and levels:
            self.warn("public_stamp", "a PUBLIC stamp on a classified cover")

    def read_document_type(self, blanked: _Blanked) -> None:
        found = []
        for match in blanked.take(_DOCUMENT_TYPE):
            index = int(next(name for name, value in match.groupdict().items() if value)[4:])
            found.append(DOCUMENT_TYPES[index])
        types = list(dict.fromkeys(found))
        if len(types) == 1:
            self.values["document_type"] = types[0]
        elif types:
            self.warn("document_type", f"several document types: {', '.join(types)}")
        else:
            self.warn("document_type", "no document type (NOTE, 'I/A' ITEM NOTE...) found")

    def read_subject_codes(self, blanked: _Blanked) -> None:
        codes: list[CoverSubjectCode] = []
        for match in self.code_pattern.finditer(blanked.text):
            code = " ".join(match["code"].split())
            number = int(match["number"]) if match["number"] else None
            if number is None and code not in self.known:
                continue  # not known as a code: left over, hence reported
            if number == 0:
                self.warn("subject_codes", f"{code} 0: subject-code numbers start at 1")
                continue
            blanked.blank(match.start(), match.end())
            if any(known.code == code for known in codes):
                self.warn("subject_codes", f"{code} appears twice on the cover")
                continue
            codes.append(CoverSubjectCode(code, number))
        self.values["subject_codes"] = tuple(codes)
        reference = self.values.get("reference")
        if not codes:
            self.warn("subject_codes", "no subject codes (JAI 64...) found")
        elif reference is not None and reference.series in NUMBERED_CODE_SERIES:
            if missing := [code.code for code in codes if code.number is None]:
                self.warn(
                    "subject_codes",
                    f"{', '.join(missing)} without a number on an {reference.series} cover "
                    "(its codes carry their yearly numbers)",
                )
        elif reference is not None and any(code.number is not None for code in codes):
            self.warn(
                "subject_codes",
                f"numbered codes on a {reference.series} cover ({reference.series} documents "
                "carry codes without numbers)",
            )

    # --- 2. the labels ------------------------------------------------------------------------

    def read_labels(self, zone: str, *, offset: int) -> int:
        """Read the labelled fields; returns where the subject ends (in the whole text)."""
        walk = _LabelWalk(zone, self.values.get("reference"))
        walk.run()
        if walk.repeated:
            for name in walk.repeated:
                self.warn(name, f"{_LABEL_NAMES[name]} appears twice: kept the first")
        if walk.unpairable:
            names = ", ".join(_LABEL_NAMES[name] for name in walk.unpairable)
            self.warn(
                None,
                f"{names} are printed together, without their values in between: their "
                "values cannot be paired with them",
            )
            for name in walk.unpairable:
                self.warn(name, "its value could not be told apart from the others'")
        if walk.separated:
            names = ", ".join(_LABEL_NAMES[name] for name in walk.separated)
            self.warn(
                None,
                f"{names} are printed apart from their values: paired in the order printed",
            )
        values = {name: " ".join(" ".join(lines).split()) for name, lines in walk.fields.items()}
        for name in ("originator", "recipients"):
            if value := values.get(name, "").strip(" ;,"):
                self.values[name] = value
        for name in ("on", "date_of_receipt"):
            if value := values.get(name):
                match = _DATE_ONLY.match(value)
                if match is None:
                    self.warn(name, f"{value!r} is not one date")
                else:
                    self.values[name] = self.date_of(match, name)
        if value := values.get("previous_documents"):
            found = tuple(find_document_references(value))
            if not found:
                self.warn("previous_documents", f"no document reference in {value!r}")
            self.values["previous_documents"] = found
        if value := values.get("commission_documents"):
            found = tuple(dict.fromkeys(_commission_document(m) for m in
                                        _COMMISSION_DOCUMENT.finditer(value)))  # fmt: skip
            if not found:
                self.warn("commission_documents", f"no Commission document in {value!r}")
            self.values["commission_documents"] = found
        if walk.subject_problem:
            self.warn("subject", walk.subject_problem)
        elif value := values.get("subject"):
            self.values["subject"] = value
        return offset + walk.end

    # --- 3. the body --------------------------------------------------------------------------

    def read_body_markings(self, body: str) -> None:
        """Markings found only on the pages (standalone lines, footers): taken, on the safe
        side, with a warning."""
        lines = set(body.split("\n"))
        reference = self.values.get("reference")
        in_footer = any(
            _FOOTER_LIMITE.match(line)
            or (
                reference is not None
                and "LIMITE" in line
                and _own_reference_at(line, reference) == 0
            )
            for line in lines
        )
        if in_footer and self.values.get("distribution") is None:
            self.values["distribution"] = "LIMITE"
            self.warn("distribution", "LIMITE on the pages but not on the cover: kept LIMITE")
        for line in lines:
            match = _CLASSIFICATION.fullmatch(line)
            if match is None:
                continue
            level = int(next(name for name, value in match.groupdict().items() if value)[5:])
            if level > self.values_level():
                self.values["classification"] = CLASSIFICATIONS[level]
                self.warn(
                    "classification",
                    f"{CLASSIFICATIONS[level]} on the pages but not on the cover: kept it",
                )

    def values_level(self) -> int:
        levels = {marking: level for level, marking in CLASSIFICATIONS.items()}
        return levels.get(self.values.get("classification") or "", 0)

    def read_citations(self) -> None:
        own = self.values.get("reference")
        self.values["cited_documents"] = tuple(
            reference for reference in find_document_references(self.text) if reference != own
        )

    def check_expected(self) -> None:
        kind = self.values.get("document_type")
        if kind not in WITHOUT_FROM_TO:
            for name in ("originator", "recipients"):
                if not self.values.get(name) and not any(
                    warning.field == name for warning in self.warnings
                ):
                    self.warn(name, f"no {_LABEL_NAMES[name]} line read")
        if not self.values.get("subject") and not any(w.field == "subject" for w in self.warnings):
            self.warn("subject", "no Subject: line read")
        if not self.values.get("has_heading"):
            self.warn(None, "no 'Council of the European Union' heading")


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


class _LabelWalk:
    """Walks the labelled part of a cover, line by line, pairing labels with values."""

    def __init__(self, zone: str, reference: DocumentReference | None) -> None:
        self.lines = zone.split("\n")
        self.reference = reference
        self.fields: dict[str, list[str]] = {}
        self.pending: list[str] = []
        self.current: str | None = None
        self.separated: list[str] = []
        self.unpairable: list[str] = []
        self.repeated: list[str] = []
        self.subject_problem: str | None = None
        self.end = len(zone)  # where the subject ends, within the zone

    def run(self) -> None:
        position = 0
        for line in self.lines:
            start, position = position, position + len(line) + 1
            if self.in_subject():
                if self.subject_ends_before(line):
                    self.end = start
                    break
                cut = self.cut_in_line(line)
                self.fields["subject"].append(line[:cut])
                if cut < len(line):
                    self.end = start + cut
                    break
                if len(self.fields["subject"]) > MAX_SUBJECT_LINES:
                    self.subject_problem = (
                        f"runs over more than {MAX_SUBJECT_LINES} lines without a break: "
                        "cannot tell where it ends"
                    )
                    self.end = start
                    break
                continue
            if not line or line == "\f":
                self.current = None
                continue
            labels = list(_LABEL.finditer(line))
            subject_at = None
            if labels and labels[0].start() == 0:
                subject_at = self.read_labelled_line(line, labels)
            elif self.pending:
                name = self.pending.pop(0)
                if name == "other":  # the value of a label the cover page does not ask for
                    self.current = "other"
                    continue
                if name not in self.separated:
                    self.separated.append(name)
                self.value_start(name, line)
                subject_at = 0 if name == "subject" else None
            elif self.current is not None:
                if self.current != "other":
                    self.fields[self.current].append(line)
                continue
            else:
                self.end = start  # neither a label nor a value: the body
                break
            if subject_at is not None:
                text = self.fields["subject"][0]
                cut = self.cut_in_line(text, first=True)
                if cut < len(text):
                    self.fields["subject"][0] = text[:cut].rstrip()
                    self.end = start + subject_at + cut
                    break
                if len(text) > MAX_UNMARKED_LINE:
                    self.subject_problem = (
                        "runs on for more than a line's worth of text with nothing marking "
                        "where it ends (the text has lost its line breaks?)"
                    )
                    self.end = start
                    break
        self.check_subject()

    def in_subject(self) -> bool:
        return self.current == "subject" and not self.pending and bool(self.fields.get("subject"))

    def read_labelled_line(self, line: str, labels: list[re.Match[str]]) -> int | None:
        """Read a line of labels and values; returns where the subject's value starts in it,
        if it does."""
        together: list[str] = []
        subject_at = None
        for index, match in enumerate(labels):
            name = next(key for key, value in match.groupdict().items() if value)
            end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
            raw = line[match.end() : end]
            value = raw.strip()
            if name == "other":
                if not value:
                    self.pending.append("other")
                self.current = "other"
                continue
            if name in self.fields or name in self.pending or name in self.unpairable:
                if name not in self.repeated:
                    self.repeated.append(name)
                self.current = "other"
                continue
            if not value:
                self.pending.append(name)
                together.append(name)
                self.current = None
            elif together:
                # "From: To: Subject: Presidency Delegations ...": whose value is whose?
                self.unpairable += [*together, name]
                self.pending = [p for p in self.pending if p not in together]
                together = []
                self.current = "other"
            else:
                self.value_start(name, value)
                if name == "subject":
                    subject_at = match.end() + len(raw) - len(raw.lstrip())
        return subject_at

    def value_start(self, name: str, value: str) -> None:
        self.fields[name] = [value]
        self.current = name

    def subject_ends_before(self, line: str) -> bool:
        if not line or line == "\f":
            return True
        if _LABEL.match(line) or _OPENING.match(line):
            return True
        return self.reference is not None and _own_reference_at(line, self.reference) == 0

    def cut_in_line(self, line: str, *, first: bool = False) -> int:
        """Where in ``line`` the subject stops: an opening of the body, or a page footer."""
        cuts = [len(line)]
        if match := _OPENING.search(line, 1 if first else 0):
            cuts.append(match.start())
        if self.reference is not None and (at := _own_reference_at(line, self.reference)):
            cuts.append(at)
        return min(cuts)

    def check_subject(self) -> None:
        lines = self.fields.get("subject")
        if not lines or self.subject_problem:
            return
        text = " ".join(" ".join(lines).split())
        if len(text) > MAX_SUBJECT_CHARACTERS:
            self.subject_problem = (
                f"longer than {MAX_SUBJECT_CHARACTERS} characters: cannot tell where it ends"
            )
        elif any(
            match["word"].lower().strip(")]\"'") not in _ABBREVIATIONS
            # a title may end with a full stop; a subject of several lines that does is prose
            and (match["end"].strip() or len(lines) > 1)
            for match in _SENTENCE_END.finditer(text)
        ):
            self.subject_problem = (
                "what follows Subject: reads as prose (a sentence ends in it): cannot tell "
                "where the subject ends"
            )


def parse_cover(text: str, *, known_subject_codes: Iterable[str] | None = None) -> CoverPage:
    """Read the cover page of a Council document from its text (see the module docstring).

    ``known_subject_codes`` adds codes (e.g. the register's own table) to
    :data:`KNOWN_SUBJECT_CODES`: a code without a number is only read as a code when known,
    and codes containing a space (``CRS CRP``) are only recognised when known.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    return _Reader(text, known_subject_codes).read()
