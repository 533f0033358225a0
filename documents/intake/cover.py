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
import re
from collections.abc import Iterable

from documents.intake._labels import _LABEL_NAMES, _LabelWalk
from documents.intake._patterns import (
    _CLASSIFICATION,
    _COMMISSION_DOCUMENT,
    _DATE_ONLY,
    _DEFAULT_CODE_PATTERN,
    _DOCUMENT_TYPE,
    _FOOTER_LIMITE,
    _FOOTER_MARK,
    _FOOTER_TAIL_AFTER,
    _HEADER_REFERENCE,
    _HEADING,
    _INTERINSTITUTIONAL,
    _LABEL,
    _LIMITE,
    _MONTHS,
    _ORIGINAL_LANGUAGE,
    _PLACE_DATE,
    _PUBLIC,
    _WK_DISCLAIMER,
    _code_pattern,
    _commission_document,
    _own_reference_at,
    normalise,
)
from documents.intake.page import CoverPage, CoverSubjectCode, CoverWarning
from documents.intake.vocabulary import (
    CLASSIFICATIONS,
    DOCUMENT_TYPES,
    KNOWN_SUBJECT_CODES,
    LANGUAGES,
    NUMBERED_CODE_SERIES,
    WITHOUT_FROM_TO,
)
from documents.references import (
    InvalidReference,
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


def parse_cover(text: str, *, known_subject_codes: Iterable[str] | None = None) -> CoverPage:
    """Read the cover page of a Council document from its text (see the module docstring).

    ``known_subject_codes`` adds codes (e.g. the register's own table) to
    :data:`KNOWN_SUBJECT_CODES`: a code without a number is only read as a code when known,
    and codes containing a space (``CRS CRP``) are only recognised when known.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    return _Reader(text, known_subject_codes).read()
