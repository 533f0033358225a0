"""A batch of files: new documents registered together, the rest compared."""

from __future__ import annotations

from django.core.files import File
from django.db import transaction

from documents.models import Citation, Classification, Document, Procedure, SubjectCode
from documents.services.files import FileRefused, document_files_add
from documents.services.intake.covers import cover_notes, cover_refusal, cover_registration
from documents.services.intake.outcomes import (
    INTAKE,
    IntakeFile,
    IntakeOutcome,
    Status,
    _messages,
    _Ready,
    _refused,
)
from documents.services.intake.updates import _compare
from documents.services.registration import RegistrationError, documents_register


def documents_intake(
    files: list[IntakeFile], *, registered_by=None, overwrite: bool = False
) -> list[IntakeOutcome]:
    """Take in a batch of files (one transaction): register what is new, update what is
    registered, refuse what cannot be read or registered. One outcome per file, in order."""
    outcomes: dict[int, IntakeOutcome] = {}
    ready: list[_Ready] = []
    seen: set[str] = set()
    again: list[int] = []  # a second file of a document in this batch: compared once it is in
    for index, item in enumerate(files):
        warnings = [str(w) for w in item.cover.warnings] if item.cover else []
        reason = item.problem or (cover_refusal(item.cover) if item.cover else "not read")
        reference = item.cover.reference.canonical if item.cover and item.cover.reference else ""
        if reason is None and reference in seen:
            again.append(index)
            continue
        if reason is not None:
            outcomes[index] = IntakeOutcome(
                item.name, Status.REFUSED, reference, reason, warnings=warnings
            )
            continue
        seen.add(reference)
        ready.append(_Ready(index, item, item.cover, cover_registration(item.cover)))
    if ready:
        with transaction.atomic():
            existing = Document.objects.in_bulk(
                [entry.registration["reference"] for entry in ready], field_name="reference"
            )
            new = [e for e in ready if e.registration["reference"] not in existing]
            outcomes |= _register(new, registered_by)
            known = [e for e in ready if e.registration["reference"] in existing]
            outcomes |= _compare(known, existing, registered_by, overwrite)
            _placeholders_name(outcomes.values())
    if again:
        later = documents_intake(
            [files[index] for index in again], registered_by=registered_by, overwrite=overwrite
        )
        outcomes |= dict(zip(again, later, strict=True))
    return [outcomes[index] for index in range(len(files))]


def _register(entries: list[_Ready], registered_by) -> dict[int, IntakeOutcome]:
    """Register ``entries`` together; a refused one is taken out and the rest tried again."""
    outcomes: dict[int, IntakeOutcome] = {}
    # Versions after what they extend (the service links a version to its document registered
    # earlier in the same batch).
    pending = sorted(entries, key=lambda e: len(e.cover.reference.suffixes))
    pending = _unknown_refuse(pending, outcomes)
    while pending:
        opened: list[File] = []
        try:
            with transaction.atomic():
                documents = documents_register(
                    [entry.registration for entry in pending],
                    registered_by=registered_by, change_reason=INTAKE,
                )  # fmt: skip
                stored = []
                for position, (entry, document) in enumerate(zip(pending, documents, strict=True)):
                    if document.classification == Classification.UNCLASSIFIED and entry.file.open:
                        upload = entry.file.open()
                        opened.append(upload)
                        stored.append((position, document, entry.file.language, upload))
                try:
                    document_files_add(
                        [(document, language, upload) for _p, document, language, upload in stored],
                        uploaded_by=registered_by,
                    )
                except FileRefused as error:
                    raise RegistrationError(error, stored[error.index][0]) from None
        except RegistrationError as error:
            entry = pending.pop(error.index)
            outcomes[entry.index] = _refused(entry, _messages(error))
            continue
        finally:
            for upload in opened:
                upload.close()
        for entry, document in zip(pending, documents, strict=True):
            stored_file = document.classification == Classification.UNCLASSIFIED
            detail = f"{entry.file.language} file stored" if stored_file and entry.file.open else ""
            outcomes[entry.index] = IntakeOutcome(
                entry.file.name, Status.REGISTERED, document.reference,
                "; ".join(filter(None, [detail, *cover_notes(entry.cover)])),
                warnings=[str(w) for w in entry.cover.warnings],
            )  # fmt: skip
        break
    return outcomes


def _unknown_refuse(entries: list[_Ready], outcomes: dict) -> list[_Ready]:
    """Refuse up front (two queries for the batch) what the service would refuse one retry at
    a time: subject codes and procedures the register does not know."""
    codes = {code for e in entries for code in _codes(e.registration)}
    procedures = {p for e in entries for p in e.registration["procedures"]}
    known_codes = set(SubjectCode.objects.filter(code__in=codes).values_list("code", flat=True))
    known_procedures = set(
        Procedure.objects.filter(reference__in=procedures).values_list("reference", flat=True)
    )
    kept = []
    for entry in entries:
        reasons = []
        if unknown := [c for c in _codes(entry.registration) if c not in known_codes]:
            reasons.append(f"unknown subject code(s): {', '.join(unknown)}")
        if unknown := [p for p in entry.registration["procedures"] if p not in known_procedures]:
            reasons.append(f"procedure(s) not registered: {', '.join(unknown)}")
        if reasons:
            outcomes[entry.index] = _refused(entry, "; ".join(reasons) + " (add, then re-run)")
        else:
            kept.append(entry)
    return kept


def _codes(registration: dict) -> list[str]:
    return [label.rsplit(" ", 1)[0] if label[-1].isdigit() else label
            for label in registration["subject_codes"]]  # fmt: skip


def _placeholders_name(outcomes) -> None:
    """Name, on each outcome, the documents it cites that are not registered (yet)."""
    taken = [o for o in outcomes if o.status in (Status.REGISTERED, Status.UPDATED)]
    if not taken:
        return
    waiting = set(
        Citation.objects.filter(
            document__reference__in=[o.reference for o in taken], cited__isnull=True
        ).values_list("document__reference", "reference")
    )
    for outcome in taken:
        outcome.placeholders = sorted(r for ref, r in waiting if ref == outcome.reference)
