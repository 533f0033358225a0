"""What changed of the documents a reader follows, in a window of time (the reminders'
daily digest): a document is in it when something the reader may see of it differs between
the start and the end of the window, never for a re-save, a change undone within the window,
or an edit of a field the reader may not see."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from documents.models import (
    AgendaItemDocument,
    Change,
    ChangeKind,
    Citation,
    Document,
    DocumentBody,
    DocumentFile,
    DocumentProcedure,
    DocumentSubjectCode,
    RecordKind,
)
from documents.querysets import state_levels
from documents.selectors.changes import seen

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
    window = Change.objects.filter(
        record=RecordKind.DOCUMENT, changed_at__gte=since, changed_at__lt=until
    )
    # Only the changes this reader is told about (the feed's rule) name candidates.
    window = seen(window, state_levels(user))
    for document_id, kind, changed_at in window.values_list("record_id", "kind", "changed_at"):
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
