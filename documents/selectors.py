"""Reads that more than one door needs."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist

from documents.models import (
    Citation,
    Document,
    DocumentBody,
    DocumentFile,
    DocumentProcedure,
    DocumentSubjectCode,
)

_NOT_SHOWN = {"updated_at", "created_at", "slug"}
_KIND = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    changes: list[str] = field(default_factory=list)
    reason: str = ""


def _who(record) -> str:
    return str(record.history_user) if record.history_user_id else "system"


def document_history(document: Document, *, user) -> list[HistoryEntry]:
    """Everything that happened to a document and its links, newest first.

    Citations of documents ``user`` may not see are left out: not even their reference shows.
    """
    hidden = citations_hidden_from(document, user=user)
    entries: list[HistoryEntry] = []
    records = list(document.history.select_related("history_user").order_by("history_date"))
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=_NOT_SHOWN)
            changes = [f"{c.field}: {c.old!r} → {c.new!r}" for c in delta.changes]
        entries.append(
            HistoryEntry(
                record.history_date, _who(record), f"document {_KIND[record.history_type]}",
                changes, record.history_change_reason or "",
            )
        )  # fmt: skip
        previous = record
    links = (
        (DocumentProcedure, "procedure", lambda r: r.procedure.reference),
        (DocumentBody, "body", lambda r: str(r.body)),
        (DocumentSubjectCode, "subject code", lambda r: r.subject_code.code),
        (Citation, "citation", lambda r: r.reference),
        (DocumentFile, "file", lambda r: f"{r.language} ({r.size} bytes, sha256 {r.sha256[:12]})"),
    )
    for model, label, describe in links:
        for record in model.history.filter(document_id=document.pk).select_related("history_user"):
            if model is Citation and record.reference in hidden:
                continue
            verb = {"+": "added", "~": "changed", "-": "removed"}[record.history_type]
            try:
                subject = describe(record)
            except ObjectDoesNotExist:  # the linked record is gone from under the history row
                subject = "(deleted record)"
            entries.append(
                HistoryEntry(record.history_date, _who(record), f"{label} {verb}: {subject}")
            )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def citations_hidden_from(document: Document, *, user) -> set[str]:
    """References ``document`` cites that name a registered document ``user`` may not see."""
    cited = Document.objects.filter(cited_by__document=document)
    return set(
        cited.exclude(pk__in=Document.objects.visible_to(user)).values_list("reference", flat=True)
    )
