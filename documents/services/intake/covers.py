"""What a cover registers: the registration, the refusals, the notes; at the desk, its file."""

from __future__ import annotations

from django.core.files import File
from django.db import transaction

from documents.intake import CoverPage
from documents.models import Classification, Distribution, Document, SubjectCode
from documents.models.choices import NUMBERED_SUBJECT_CODE_SERIES
from documents.services.files import document_file_add
from documents.services.registration import document_register


def cover_refusal(cover: CoverPage) -> str | None:
    """Why this cover cannot be registered, or None: what the register needs and the cover
    does not say with confidence."""
    if cover.reference is None:
        problems = cover.warnings_about("reference")
        if not cover.has_heading and not any("not a valid" in p for p in problems):
            return (
                "not a Council document: no 'Council of the European Union' heading and no "
                "document reference on its cover"
            )
        return f"no reference read on the cover ({'; '.join(problems)})"
    for name, label in (("date", "date"), ("document_type", "document type"),
                        ("subject", "subject")):  # fmt: skip
        if getattr(cover, name) is None:
            why = "; ".join(cover.warnings_about(name)) or "not on the cover"
            return f"no {label} read on the cover ({why})"
    if cover.reference.series in NUMBERED_SUBJECT_CODE_SERIES and (
        missing := [code.code for code in cover.subject_codes if code.number is None]
    ):
        return (
            f"subject code(s) {', '.join(missing)} without their numbers on the cover (the "
            "intake keeps the numbers a cover states and never allocates one)"
        )
    return None


def cover_registration(cover: CoverPage) -> dict:
    """What ``documents_register`` takes for this cover (which ``cover_refusal`` passed)."""
    registration = {
        "reference": cover.reference.canonical,
        "date": cover.date,
        "document_type": cover.document_type,
        "originator": cover.originator or "",
        "recipients": cover.recipients or "",
        "subject": cover.subject,
        # LIMITE on the cover, or in doubt: the parser errs on the safe side.
        "distribution": Distribution.LIMITE if cover.distribution else Distribution.PUBLIC,
        "classification": cover.classification_level,
        "procedures": [procedure.canonical for procedure in cover.procedures],
        "subject_codes": [str(code) for code in cover.subject_codes],
        "cites": [reference.canonical for reference in cover.cited_documents],
    }
    # Not read: the register's defaults apply (the parser's warnings say so).
    if cover.place:
        registration["place"] = cover.place
    if cover.original_language:
        registration["original_language"] = cover.original_language
    return registration


def cover_notes(cover: CoverPage) -> list[str]:
    """What the register does with what a cover says beyond its fields."""
    notes = []
    if cover.public_stamp and cover.distribution:
        notes.append(
            "stamped PUBLIC: registered LIMITE; release it at the desk (the cover does not say "
            "on what grounds it was released)"
        )
    if cover.classification:
        notes.append(f"{cover.classification}: metadata only, the register keeps no file of it")
    return notes


def known_subject_codes() -> tuple[str, ...]:
    """The register's subject codes, for the parser to know codes it does not list itself."""
    return tuple(SubjectCode.objects.values_list("code", flat=True))


# --- one document, from the admin -----------------------------------------------------------


@transaction.atomic
def document_register_from_file(
    *, upload: File | None, language: str, registered_by=None, **registration
) -> Document:
    """Register a document a clerk confirmed from its file, and store the file as its
    ``language`` file (not for a classified document), in one transaction: refused as a whole
    (``ValidationError``), nothing is registered without its file."""
    document = document_register(registered_by=registered_by, **registration)
    if upload is not None and document.classification == Classification.UNCLASSIFIED:
        document_file_add(
            document=document, language=language, upload=upload, uploaded_by=registered_by
        )
    return document
