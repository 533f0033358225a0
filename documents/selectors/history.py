"""Reads that more than one door needs."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Citation,
    Document,
    DocumentBody,
    DocumentDistribution,
    DocumentFile,
    DocumentProcedure,
    DocumentSubjectCode,
    Meeting,
    Procedure,
    ProcedureEvent,
)

HIDDEN = "a document you may not see"
_NOT_SHOWN = {"updated_at", "created_at", "slug"}
_VERB = {"+": "added", "~": "changed", "-": "removed"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    changes: list[str] = field(default_factory=list)
    reason: str = ""


def citations_hidden_from(document: Document, *, user) -> set[str]:
    """References ``document`` cites that name a registered document ``user`` may not see."""
    cited = Document.objects.filter(cited_by__document=document)
    visible = Document.objects.visible_to(user)
    return set(cited.exclude(pk__in=visible).values_list("reference", flat=True))


class _Viewer:
    """Names documents as ``user`` may see them, and only those: the references of all the
    ``candidates`` a history page may mention, looked up in one query."""

    def __init__(self, user, candidates) -> None:
        visible = Document.objects.visible_to(user).filter(pk__in=set(candidates) - {None})
        self._names: dict[int, str] = dict(visible.values_list("pk", "reference"))

    def name(self, document_id: int | None) -> str | None:
        """The reference, or None for a document hidden from the user (or gone)."""
        if document_id is None:
            return "-"
        return self._names.get(document_id)


def _who(record) -> str:
    return str(record.history_user) if record.history_user_id else "system"


def _own_entries(obj, noun: str, viewer: _Viewer) -> list[HistoryEntry]:
    """The object's own history rows, each with what changed since the row before."""
    document_fields = {
        f.attname: f.name
        for f in type(obj)._meta.concrete_fields
        if f.is_relation and f.related_model is Document
    }
    entries, previous = [], None
    for record in obj.history.select_related("history_user").order_by("history_date", "pk"):
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=_NOT_SHOWN)
            for change in delta.changes:
                if change.field in document_fields.values() or change.field in document_fields:
                    old = viewer.name(change.old) or HIDDEN
                    new = viewer.name(change.new) or HIDDEN
                    changes.append(f"{change.field}: {old} → {new}")
                else:
                    changes.append(f"{change.field}: {change.old!r} → {change.new!r}")
        what = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        entries.append(
            HistoryEntry(
                record.history_date, _who(record), f"{noun} {what}", changes,
                record.history_change_reason or "",
            )
        )  # fmt: skip
        previous = record
    return entries


def _link_entries(
    records: Iterable, label: str, describe: Callable[[object], str | None]
) -> list[HistoryEntry]:
    """History rows of link records; ``describe`` returns None for a row to leave out."""
    entries = []
    for record in records:
        try:
            subject = describe(record)
        except ObjectDoesNotExist:  # the linked record is gone from under the history row
            subject = "(deleted record)"
        if subject is not None:
            entries.append(
                HistoryEntry(
                    record.history_date, _who(record), f"{label} {_VERB[record.history_type]}: "
                    f"{subject}",
                )
            )  # fmt: skip
    return entries


def _newest_first(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def document_history(document: Document, *, user) -> list[HistoryEntry]:
    """Everything that happened to a document and its links, newest first.

    Citations of documents ``user`` may not see are left out: not even their reference shows.
    """
    viewer = _Viewer(user, document.history.values_list("parent_id", flat=True))
    hidden = citations_hidden_from(document, user=user)

    def rows(model):
        return model.history.filter(document_id=document.pk).select_related("history_user")

    return _newest_first(
        _own_entries(document, "document", viewer)
        + _link_entries(rows(DocumentProcedure), "procedure", lambda r: r.procedure.reference)
        + _link_entries(rows(DocumentBody), "body", lambda r: str(r.body))
        + _link_entries(rows(DocumentDistribution), "distribution", lambda r: str(r.delegation))
        + _link_entries(rows(DocumentSubjectCode), "subject code", lambda r: r.subject_code.code)
        + _link_entries(
            rows(Citation), "citation", lambda r: None if r.reference in hidden else r.reference
        )
        + _link_entries(
            rows(DocumentFile), "file", lambda r: f"{r.language} ({r.size} bytes, sha256 "
            f"{r.sha256[:12]})",
        )
    )  # fmt: skip


def procedure_history(procedure: Procedure, *, user) -> list[HistoryEntry]:
    """A procedure's own changes, its timeline events and its documents, newest first."""
    events = ProcedureEvent.history.filter(procedure_id=procedure.pk)
    linked = DocumentProcedure.history.filter(procedure_id=procedure.pk)
    viewer = _Viewer(
        user,
        [
            *events.values_list("document_id", flat=True),
            *linked.values_list("document_id", flat=True),
        ],
    )

    def event(record) -> str:
        cites = f" ({viewer.name(record.document_id) or HIDDEN})" if record.document_id else ""
        return f"{record.date:%d.%m.%Y} {record.title}{cites}"

    return _newest_first(
        _own_entries(procedure, "procedure", viewer)
        + _link_entries(
            events.select_related("history_user"),
            "event",
            event,
        )
        + _link_entries(
            linked.select_related("history_user"),
            "document",
            lambda r: viewer.name(r.document_id),  # a hidden document leaves no trace
        )
    )


def meeting_history(meeting: Meeting, *, user) -> list[HistoryEntry]:
    """A meeting's own changes, its agenda items and their links, newest first."""
    items = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
    own = meeting.history.values_list("notice_id", "outcome_document_id")
    listed = AgendaItemDocument.history.filter(agenda_item_id__in=items)
    viewer = _Viewer(
        user,
        [*(pk for pair in own for pk in pair), *listed.values_list("document_id", flat=True)],
    )

    def rows(model, **lookup):
        return model.history.filter(**lookup).select_related("history_user")

    return _newest_first(
        _own_entries(meeting, "meeting", viewer)
        + _link_entries(
            rows(AgendaItem, meeting_id=meeting.pk), "agenda item",
            lambda r: f"{r.order}. {r.title}",
        )
        + _link_entries(
            rows(AgendaItemProcedure, agenda_item_id__in=items), "agenda procedure",
            lambda r: f"item {r.agenda_item.order}: {r.procedure.reference}",
        )
        + _link_entries(
            rows(AgendaItemDocument, agenda_item_id__in=items), "agenda document",
            lambda r: (
                f"item {r.agenda_item.order}: {name}"
                if (name := viewer.name(r.document_id))
                else None
            ),
        )
    )  # fmt: skip
