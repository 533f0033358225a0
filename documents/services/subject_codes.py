"""Subject codes on a document's cover, with their yearly numbers."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from documents.models import Document, DocumentSubjectCode, SubjectCode, SubjectCodeNumber
from documents.models.choices import NUMBERED_SUBJECT_CODE_SERIES
from documents.services.history import links_create
from documents.services.numbering import counter_lock, counter_next, subject_code_scope

_LABEL = re.compile(r"^\s*(?P<code>[A-Za-z]+(?:[/ -][A-Za-z]+)*)(?:\s+(?P<number>\d{1,6}))?\s*$")


@dataclass(frozen=True)
class SubjectCodeLabel:
    """``JAI 64`` (a code with its number) or ``JAI`` (a number still to allocate, or none)."""

    code: str
    number: int | None = None

    def __str__(self) -> str:
        return self.code if self.number is None else f"{self.code} {self.number}"


def parse_subject_code_label(text: str) -> SubjectCodeLabel:
    """``"jai 64"`` -> JAI 64; ``"CFSP/PESC"``, ``"CRS CRP 3"`` keep their inner slash or space."""
    match = _LABEL.match(text.replace("\u00a0", " "))
    if not match:
        raise ValidationError(f"{text!r} is not a subject code such as 'JAI' or 'JAI 64'")
    code = re.sub(r"\s+", " ", match["code"]).upper()
    number = int(match["number"]) if match["number"] else None
    if number == 0:
        raise ValidationError(f"{text!r}: subject code numbers start at 1")
    return SubjectCodeLabel(code, number)


def subject_code_labels_resolve(
    labels: list[str], *, series: str
) -> list[tuple[SubjectCode, int | None]]:
    """Parse and look up subject codes, refusing unknown codes and misplaced numbers."""
    parsed = [parse_subject_code_label(label) for label in labels]
    seen: set[str] = set()
    for label in parsed:
        if label.code in seen:
            raise ValidationError(f"subject code {label.code} is given twice")
        seen.add(label.code)
        if label.number is not None and series not in NUMBERED_SUBJECT_CODE_SERIES:
            raise ValidationError(
                f"{label}: {series} documents carry subject codes without numbers"
            )
    known = SubjectCode.objects.in_bulk([label.code for label in parsed], field_name="code")
    if unknown := [label.code for label in parsed if label.code not in known]:
        raise ValidationError(f"unknown subject code(s): {', '.join(unknown)}")
    return [(known[label.code], label.number) for label in parsed]


def _allocation_for(
    *, document: Document, subject_code: SubjectCode, number: int | None
) -> SubjectCodeNumber:
    """The yearly number of ``subject_code`` for ``document``'s number: reused, given or next."""
    existing = SubjectCodeNumber.objects.filter(
        subject_code=subject_code,
        year=document.year,
        series=document.series,
        document_number=document.number,
    ).first()
    if existing is not None:
        if number is not None and number != existing.number:
            raise ValidationError(
                f"{subject_code.code} of {document.year} is numbered {existing.number} on "
                f"{document.series} {document.number}/{document.year}, not {number}"
            )
        return existing
    counter = counter_lock(scope=subject_code_scope(subject_code.code), year=document.year)
    numbers = SubjectCodeNumber.objects.filter(subject_code=subject_code, year=document.year)
    if number is None:
        number = counter_next(counter=counter, taken=lambda n: numbers.filter(number=n).exists())
    elif holder := numbers.filter(number=number).first():
        raise ValidationError(
            f"{subject_code.code} {number} of {document.year} is already allocated to "
            f"{holder.series} {holder.document_number}/{holder.year}"
        )
    return SubjectCodeNumber.objects.create(
        subject_code=subject_code,
        year=document.year,
        number=number,
        series=document.series,
        document_number=document.number,
    )


def document_subject_codes_set(
    *, document: Document, codes: list[tuple[SubjectCode, int | None]], by=None
) -> list[DocumentSubjectCode]:
    """Put ``codes`` on a new document's cover, in cover order, allocating numbers as needed.

    Numbers are allocated in code order (the fixed lock order), whatever the cover order.
    """
    numbered = document.series in NUMBERED_SUBJECT_CODE_SERIES
    allocations: dict[int, SubjectCodeNumber | None] = {}
    for subject_code, number in sorted(codes, key=lambda pair: pair[0].code):
        allocations[subject_code.pk] = (
            _allocation_for(document=document, subject_code=subject_code, number=number)
            if numbered
            else None
        )
    return links_create(
        [
            DocumentSubjectCode(
                document=document,
                subject_code=subject_code,
                allocation=allocations[subject_code.pk],
                order=order,
            )
            for order, (subject_code, _number) in enumerate(codes, start=1)
        ],
        by=by,
    )
