"""Documents already registered: compared with their covers; what a clerk wrote is kept."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from documents.models import (
    Citation,
    Classification,
    Document,
    DocumentFile,
    DocumentProcedure,
    DocumentSubjectCode,
)
from documents.services.documents import document_update
from documents.services.files import document_file_add
from documents.services.intake.outcomes import (
    COVER_FIELDS,
    INTAKE,
    IntakeOutcome,
    Status,
    _messages,
    _Ready,
    _refused,
)


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
