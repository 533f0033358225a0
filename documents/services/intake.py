"""Registering documents from their cover pages: what ``import_document`` and the admin's
*Register from file* write.

A cover read by ``documents.intake.parse_cover`` becomes a registration for
``documents_register`` under the cover's own reference (its number, and its subject codes'
numbers, are kept, never allocated here), with its procedures, subject codes and citations,
and the file as a language file. Cited documents not registered yet are kept as citations by
reference (the register's *placeholders*): registering them later links every citation.

``documents_intake`` takes a batch: new documents are registered together, in one
transaction, with their files; a registration refused by the service is taken out of the batch
and the rest registered again, so one bad cover never costs the others. A document already
registered is compared with its cover: fields the intake itself wrote are brought up to date,
fields a clerk wrote (the history says who wrote each value last) are kept unless
``overwrite``; links are only ever added; markings and subject codes are never changed here
(releasing, classifying and deriving are decisions), only reported.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from documents.intake import CoverPage
from documents.models import (
    Citation,
    Classification,
    Distribution,
    Document,
    DocumentFile,
    DocumentProcedure,
    DocumentSubjectCode,
    Procedure,
    SubjectCode,
)
from documents.models.choices import NUMBERED_SUBJECT_CODE_SERIES
from documents.services.documents import document_update
from documents.services.files import FileRefused, document_file_add, document_files_add
from documents.services.registration import (
    RegistrationError,
    document_register,
    documents_register,
)

INTAKE = "intake"
"""The history change reason of every write the intake makes: what tells its values from a
clerk's."""

# The cover fields the intake keeps up to date on a registered document (documents.services.
# documents.EDITABLE_FIELDS but the comments deadline, which no cover states).
COVER_FIELDS = (
    "date", "place", "original_language", "document_type", "originator", "recipients", "subject",
)  # fmt: skip


class Status:
    REGISTERED = "registered"
    UPDATED = "updated"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass
class IntakeFile:
    """One file to take in: its name (as reports show it), the language it is in, what its
    cover says, and how to open it for storing; or, read or not, why it cannot be taken in."""

    name: str
    language: str
    cover: CoverPage | None = None
    open: Callable[[], File] | None = None
    problem: str | None = None


@dataclass
class IntakeOutcome:
    name: str
    status: str
    reference: str = ""
    detail: str = ""
    """Why it was refused or skipped; what was stored."""
    changes: list[str] = field(default_factory=list)
    """Every difference between the cover and the register, and what was done with it."""
    placeholders: list[str] = field(default_factory=list)
    """Cited references not registered yet."""
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the console."""
        parts = [f"{self.status:10}", self.reference or "-", self.name]
        if self.detail:
            parts.append(self.detail)
        if self.changes:
            parts.append("; ".join(self.changes))
        if self.placeholders:
            parts.append(f"cited, not registered yet: {', '.join(self.placeholders)}")
        if self.warnings and self.status != Status.REFUSED:
            shown = "; ".join(self.warnings[:3]) + ("; ..." if len(self.warnings) > 3 else "")
            parts.append(f"{len(self.warnings)} warning(s): {shown}")
        return "  ".join(parts)


# --- what a cover registers -----------------------------------------------------------------


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


# --- a batch ---------------------------------------------------------------------------------


@dataclass
class _Ready:
    index: int
    file: IntakeFile
    cover: CoverPage
    registration: dict


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


def _refused(entry: _Ready, reason: str) -> IntakeOutcome:
    return IntakeOutcome(
        entry.file.name, Status.REFUSED, entry.registration["reference"], reason,
        warnings=[str(w) for w in entry.cover.warnings],
    )  # fmt: skip


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


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


# --- documents already registered -----------------------------------------------------------


@dataclass(frozen=True)
class ClerkEdit:
    """Who last wrote a field's value, when it was not the intake."""

    user: str
    date: datetime.datetime

    def __str__(self) -> str:
        return f"written by {self.user} on {self.date:%d.%m.%Y}"


def clerk_edits(document: Document, fields=COVER_FIELDS) -> dict[str, ClerkEdit]:
    """The fields of ``document`` whose current value a person wrote (registered it at the
    desk, or corrected it), rather than the intake.

    Read from the document's history (django-simple-history): for each field, the history row
    that last changed its value; the value is the intake's when that row carries the
    ``INTAKE`` change reason. Rows that change nothing of a field (a file added, a release)
    never count for it.
    """
    rows = document.history.order_by("history_date", "history_id").values(
        *fields, "history_change_reason", "history_user__username", "history_date"
    )
    last: dict[str, dict] = {}
    previous = None
    for row in rows:
        for name in fields:
            if previous is None or row[name] != previous[name]:
                last[name] = row
        previous = row
    return {
        name: ClerkEdit(row["history_user__username"] or "a system process", row["history_date"])
        for name, row in last.items()
        if row["history_change_reason"] != INTAKE
    }


def _compare(
    entries: list[_Ready], existing: dict[str, Document], registered_by, overwrite: bool
) -> dict[int, IntakeOutcome]:
    """Each registered document against its cover: skipped when nothing differs (a re-run),
    updated where the intake may, every difference reported."""
    if not entries:
        return {}
    ids = [existing[e.registration["reference"]].pk for e in entries]
    files = {
        (document_id, language): sha
        for document_id, language, sha in DocumentFile.objects.filter(
            document_id__in=ids
        ).values_list("document_id", "language", "sha256")
    }
    procedures: dict[int, set[str]] = {}
    for document_id, reference in DocumentProcedure.objects.filter(document_id__in=ids).values_list(
        "document_id", "procedure__reference"
    ):
        procedures.setdefault(document_id, set()).add(reference)
    cited: dict[int, list[str]] = {}
    for document_id, reference in Citation.objects.filter(document_id__in=ids).values_list(
        "document_id", "reference"
    ):
        cited.setdefault(document_id, []).append(reference)
    codes: dict[int, list[str]] = {}
    for link in DocumentSubjectCode.objects.filter(document_id__in=ids).select_related(
        "subject_code", "allocation"
    ):
        codes.setdefault(link.document_id, []).append(str(link))
    outcomes = {}
    for entry in entries:
        document = existing[entry.registration["reference"]]
        outcomes[entry.index] = _document_compare(
            entry, document,
            stored=files.get((document.pk, entry.file.language)),
            procedures=procedures.get(document.pk, set()),
            cited=cited.get(document.pk, []),
            codes=codes.get(document.pk, []),
            registered_by=registered_by, overwrite=overwrite,
        )  # fmt: skip
    return outcomes


def _document_compare(
    entry: _Ready, document: Document, *, stored, procedures, cited, codes, registered_by,
    overwrite,
) -> IntakeOutcome:  # fmt: skip
    registration, cover = entry.registration, entry.cover
    changes: list[str] = []
    wanted = {name: registration[name] for name in COVER_FIELDS if name in registration}
    if not cover.originator:
        wanted.pop("originator")  # not read: never blanks a stored value
    if not cover.recipients:
        wanted.pop("recipients")
    differing = {n: v for n, v in wanted.items() if getattr(document, n) != v}
    edited = clerk_edits(document) if differing else {}
    apply = {}
    for name, value in differing.items():
        was = getattr(document, name)
        if name in edited and not overwrite:
            changes.append(
                f"{name}: kept {was!s:.60} ({edited[name]}; the cover says {value!s:.60}; "
                "--overwrite replaces it)"
            )
        else:
            apply[name] = value
            changes.append(f"{name}: {was!s:.60} -> {value!s:.60}")
    new_procedures = [p for p in registration["procedures"] if p not in procedures]
    new_cites = [r for r in registration["cites"] if r not in cited and r != document.reference]
    changes += [f"procedure {p} added" for p in new_procedures]
    changes += [f"cites {r} (added)" for r in new_cites]
    for name, now, cover_says in (
        ("distribution", document.distribution, registration["distribution"]),
        ("classification", document.classification, registration["classification"]),
    ):
        if now != cover_says:
            changes.append(
                f"{name}: the cover says {cover_says}, the register {now} (not changed by the "
                "intake: release or classify at the desk)"
            )
    if codes != registration["subject_codes"]:
        changes.append(
            f"subject codes: the cover says {' '.join(registration['subject_codes'])}, the "
            f"register {' '.join(codes) or 'none'} (not changed by the intake)"
        )
    store = (
        stored is None and entry.file.open is not None
        and document.classification == Classification.UNCLASSIFIED
    )  # fmt: skip
    if stored is not None:
        upload = entry.file.open() if entry.file.open else None
        if upload is not None:
            with upload:
                if _sha256(upload) != stored:
                    changes.append(
                        f"a different {entry.file.language} file is stored (stored files are "
                        "never replaced)"
                    )
    written = bool(apply or new_procedures or new_cites or store)
    if written:
        try:
            with transaction.atomic():
                if apply or new_procedures or new_cites:
                    document_update(
                        document=document, updated_by=registered_by, change_reason=INTAKE,
                        procedures=(
                            [*procedures, *new_procedures] if new_procedures else None
                        ),
                        cites=[*cited, *new_cites] if new_cites else None,
                        **apply,
                    )  # fmt: skip
                if store:
                    with entry.file.open() as upload:
                        document_file_add(
                            document=document, language=entry.file.language, upload=upload,
                            uploaded_by=registered_by,
                        )  # fmt: skip
                    changes.append(f"{entry.file.language} file stored")
        except ValidationError as error:
            return _refused(entry, f"update refused: {_messages(error)}")
    status = Status.UPDATED if written else Status.SKIPPED
    detail = "" if written else "already registered"
    return IntakeOutcome(
        entry.file.name, status, document.reference, detail, changes,
        warnings=[str(w) for w in cover.warnings],
    )  # fmt: skip


def _sha256(upload: File) -> str:
    import hashlib

    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


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
