"""Recording changes for the mirrors' feed, and putting them in order after commit."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max, Q

from documents.models import Change, ChangeKind, Document

# Any fixed number: the advisory lock that makes one sequencer run at a time.
_SEQUENCER_LOCK = 7_100_452


def documents_changed(document_ids: Iterable[int], kind: str, *, visibility: bool = False) -> None:
    """Record, in the caller's transaction, that these documents changed.

    ``visibility``: who may see these documents changed (classified, deleted). Documents that
    name them (their versions, the documents citing them) show them or not according to that,
    so those change too.

    Only rows of the change log are written here: inserts, which lock no document, so two
    transactions cannot deadlock over each other's documents. A document's ``updated_at``
    moves with writes to its own row (its transaction holds that row already).
    """
    ids = set(document_ids)
    if not ids:
        return
    if visibility:
        naming = Document.objects.filter(
            Q(parent_id__in=ids) | Q(citations__cited_id__in=ids)
        ).exclude(pk__in=ids)
        dependents = set(naming.values_list("pk", flat=True))
    else:
        dependents = set()
    states = Document.objects.filter(pk__in=ids | dependents).values(*_SNAPSHOT)
    Change.objects.bulk_create(
        Change(
            document_id=state["pk"],
            kind=kind if state["pk"] in ids else ChangeKind.UPDATED,
            **{name: state[name] for name in _SNAPSHOT if name != "pk"},
        )
        for state in sorted(states, key=lambda state: state["pk"])
    )


_SNAPSHOT = ("pk", "series", "classification", "distribution", "released_at")


@transaction.atomic
def changes_sequence() -> int:
    """Give positions to every committed change that has none, in id order; return the last.

    One sequencer at a time (an advisory lock held to commit). Rows still uncommitted are
    invisible here and get a higher position on a later run, so positions only ever grow in
    the order changes became visible.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK])
    last = Change.objects.aggregate(last=Max("position"))["last"] or 0
    pending = list(
        Change.objects.filter(position__isnull=True).order_by("id").values_list("id", flat=True)
    )
    for offset, change_id in enumerate(pending, start=1):
        Change.objects.filter(pk=change_id).update(position=last + offset)
    return last + len(pending)
