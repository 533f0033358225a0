"""What a cover page says: ``CoverPage``, the value ``parse_cover`` returns (pure Python)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from documents.intake.vocabulary import CLASSIFICATIONS
from documents.references import DocumentReference, ProcedureReference

_JSON_NAMES = {"originator": "from", "recipients": "to"}


@dataclass(frozen=True, slots=True)
class CoverWarning:
    """What the parser could not read with confidence, and the field it concerns (``None``:
    the cover as a whole)."""

    field: str | None
    message: str

    def __str__(self) -> str:
        if self.field is None:
            return self.message
        # Named as the JSON of parse_cover names it ("from", not "originator").
        return f"{_JSON_NAMES.get(self.field, self.field)}: {self.message}"


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
