"""Reads that more than one door needs."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, Subquery

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Change,
    ChangeKind,
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


# --- What changed, as a reader sees it ---------------------------------------------------------

# A document's fields under the API's names: those the public register lists of a LIMITE
# document, and those only a reader with full access sees.
LISTED_FIELDS = frozenset({"date", "document_type", "subject", "distribution"})
READ_FIELDS = LISTED_FIELDS | {
    "place", "original_language", "originator", "recipients", "classification", "released_at",
    "release_reason", "comments_due",
}  # fmt: skip
# Linked records that are part of what a reader with full access sees: (model, what it points
# at). A change to them is a change of the document.
LINKED_FIELDS = {
    "procedures": (DocumentProcedure, "procedure_id"),
    "bodies": (DocumentBody, "body_id"),
    "subject_codes": (DocumentSubjectCode, "subject_code_id"),
    "cites": (Citation, "reference"),
    "files": (DocumentFile, "language"),
    "meetings": (AgendaItemDocument, "agenda_item_id"),
}


@dataclass(frozen=True)
class DocumentChanges:
    """What changed of one document, for one reader, in a window of time."""

    document: Document  # annotated with ``full_access``, as ``with_access`` does
    kinds: tuple[str, ...]  # ChangeKind values, sorted: ("created",), ("released", "updated")
    fields: tuple[str, ...]  # changed fields the reader may see, sorted; () for a new document
    # The last change in the window; None when the reader may only list the document (when a
    # LIMITE document changes is not public).
    changed_at: datetime | None


def document_changes_seen_by(user, *, since: datetime, until: datetime) -> list[DocumentChanges]:
    """Documents ``user`` may see now that changed in ``[since, until)`` in a way they can see,
    sorted by reference.

    A document is in the list when it was created in the window, or when a field the reader may
    see (``LISTED_FIELDS`` for a document they may only list, ``READ_FIELDS`` and
    ``LINKED_FIELDS`` with full access) differs between the start and the end of the window. A
    re-save, a change undone within the window, or an edit of a field the reader may not see
    leaves it out. Deleted documents and documents hidden from the reader are never in it.
    """
    logged: dict[int, tuple[set[str], datetime]] = {}
    window = Change.objects.filter(changed_at__gte=since, changed_at__lt=until)
    for document_id, kind, changed_at in window.values_list("document_id", "kind", "changed_at"):
        kinds, last = logged.get(document_id, (set(), changed_at))
        kinds.add(kind)
        logged[document_id] = (kinds, max(last, changed_at))
    if not logged:
        return []
    documents = list(Document.objects.with_access(user).filter(pk__in=logged))
    read = {document.pk for document in documents if document.full_access}
    own = _fields_changed({document.pk for document in documents}, since=since, until=until)
    linked = _links_changed(read, since=since, until=until, user=user)
    items = []
    for document in documents:
        kinds, last = logged[document.pk]
        if ChangeKind.CREATED in kinds:
            fields: set[str] = set()
        elif document.full_access:
            fields = (own[document.pk] & READ_FIELDS) | linked[document.pk]
        else:
            fields = own[document.pk] & LISTED_FIELDS
        if ChangeKind.CREATED not in kinds and not fields:
            continue
        items.append(
            DocumentChanges(
                document=document,
                kinds=tuple(sorted(kinds)),
                fields=tuple(sorted(fields)),
                changed_at=last if document.full_access else None,
            )
        )
    return sorted(items, key=lambda item: item.document.reference)


def _latest_rows(history, ids, *, key: str, owner: str, moment: datetime):
    """Each record's (``key``) last history row before ``moment``, for ``owner`` in ``ids``."""
    latest = (
        history.objects.filter(**{key: OuterRef(key)}, history_date__lt=moment)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return history.objects.filter(**{f"{owner}__in": ids}, history_date__lt=moment).filter(
        history_id=Subquery(latest)
    )


def _fields_changed(ids, *, since: datetime, until: datetime) -> dict[int, set[str]]:
    """The document's own fields that differ between its state at ``since`` and at ``until``."""
    history = Document.history.model
    columns = ("id", "history_type", *sorted(READ_FIELDS))

    def states(moment):
        rows = _latest_rows(history, ids, key="id", owner="id", moment=moment).values(*columns)
        return {row["id"]: row for row in rows}

    before, after = states(since), states(until)
    changed: dict[int, set[str]] = defaultdict(set)
    for pk, old in before.items():
        new = after.get(pk)
        if new is not None and "-" not in (old["history_type"], new["history_type"]):
            changed[pk] = {name for name in READ_FIELDS if old[name] != new[name]}
    return changed


def _links_changed(ids, *, since: datetime, until: datetime, user) -> dict[int, set[str]]:
    """The linked records (``LINKED_FIELDS``) that differ between ``since`` and ``until``."""
    changed: dict[int, set[str]] = defaultdict(set)
    if not ids:
        return changed
    for name, (model, target) in LINKED_FIELDS.items():
        history = model.history.model
        touched = set(
            history.objects.filter(
                document_id__in=ids, history_date__gte=since, history_date__lt=until
            ).values_list("document_id", flat=True)
        )
        if not touched:
            continue

        def linked(moment, history=history, target=target, touched=touched):
            rows = _latest_rows(history, touched, key="id", owner="document_id", moment=moment)
            found = defaultdict(set)
            for document_id, value in rows.exclude(history_type="-").values_list(
                "document_id", target
            ):
                found[document_id].add(value)
            return found

        before, after = linked(since), linked(until)
        if name == "cites":  # a citation of a document the reader may not see is not shown
            hidden = citations_named_but_hidden(
                set().union(*before.values(), *after.values()), user=user
            )
            before = {pk: values - hidden for pk, values in before.items()}
            after = {pk: values - hidden for pk, values in after.items()}
        for document_id in touched:
            if before.get(document_id, set()) != after.get(document_id, set()):
                changed[document_id].add(name)
    return changed


def citations_named_but_hidden(references: set[str], *, user) -> set[str]:
    """Those of ``references`` that name a registered document ``user`` may not see."""
    registered = Document.objects.filter(reference__in=references)
    visible = Document.objects.visible_to(user).filter(reference__in=references)
    return set(registered.values_list("reference", flat=True)) - set(
        visible.values_list("reference", flat=True)
    )
