"""Recording changes for the mirrors' feed and the digests, and putting them in order after commit.

Every service that changes what a record shows appends rows here, in its own transaction:

- ``document_changed``: a document's fields, files, links or agenda changed (``scope`` says
  whether everyone who lists it sees the change, or only those who read it in full);
- ``document_visibility_changed``: who may see a document changed (registered, released,
  withdrawn, classified, deleted); the records that name it (its versions, the documents
  citing it, agendas, timelines) get a *link* change, which the feed shows only to callers
  for whom the link appears or disappears;
- ``record_changed``: a procedure, meeting or reference record changed (public records).

Rows are inserts only, which lock no record, so two transactions cannot deadlock over each
other's documents. ``changes_sequence`` hands out positions after commit.
"""

from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Max, Q

from documents.models import (
    AgendaItemDocument,
    Change,
    ChangeKind,
    ChangeScope,
    Citation,
    Document,
    DocumentDistribution,
    Meeting,
    ProcedureEvent,
    RecordKind,
    VisibilityState,
)

# Any fixed number: the advisory lock that makes one sequencer run at a time.
_SEQUENCER_LOCK = 7_100_452
# What the public register lists of a document: a change to any of these is seen by everyone
# who lists the document; a change to anything else only by those who read it in full.
LISTED_FIELDS = frozenset({"date", "document_type", "subject", "distribution", "released_at"})
# Levels of access at which a link to a document shows (see documents.querysets.StateLevels).
LISTED, READ = 1, 2

_Facts = tuple[bool, str, int, str, bool, str]
_RECORD: _Facts = (True, "", 0, "", False, "")


def _state_ids(facts: Iterable[_Facts]) -> dict[_Facts, int]:
    """The ids of these visibility states, created (race-free) where new."""
    wanted = set(facts)
    found = _states_find(wanted)
    if missing := wanted - set(found):
        VisibilityState.objects.bulk_create(
            [VisibilityState(**dict(zip(_STATE_FIELDS, f, strict=True))) for f in missing],
            ignore_conflicts=True,  # created meanwhile by a concurrent transaction: fine
        )
        found |= _states_find(missing)
    return found


_STATE_FIELDS = ("record", "series", "classification", "distribution", "released", "distributed")


def _states_find(facts: set[_Facts]) -> dict[_Facts, int]:
    if not facts:
        return {}
    match = reduce(or_, (Q(**dict(zip(_STATE_FIELDS, f, strict=True))) for f in facts))
    rows = VisibilityState.objects.filter(match).values_list(*_STATE_FIELDS, "pk")
    return {tuple(row[:-1]): row[-1] for row in rows}


def _delegation_list(ids: Iterable[int]) -> str:
    """``",3,17,"``: the form ``VisibilityState.distributed`` keeps, searchable by ``,id,``."""
    ids = sorted(ids)
    return f",{','.join(map(str, ids))}," if ids else ""


def document_states(document_ids: Iterable[int]) -> dict[int, int]:
    """The visibility state of each of these documents now (id -> state id); two queries."""
    ids = set(document_ids)
    if not ids:
        return {}
    rows = Document.objects.filter(pk__in=ids).values_list(
        "pk", "series", "classification", "distribution", "released_at"
    )
    distributed: dict[int, list[int]] = {}
    for document_id, delegation_id in DocumentDistribution.objects.filter(
        document_id__in=ids
    ).values_list("document_id", "delegation_id"):
        distributed.setdefault(document_id, []).append(delegation_id)
    facts = {
        pk: (
            False, series, classification, distribution, released_at is not None,
            _delegation_list(distributed.get(pk, [])),
        )
        for pk, series, classification, distribution, released_at in rows
    }  # fmt: skip
    states = _state_ids(facts.values())
    return {pk: states[f] for pk, f in facts.items()}


def record_state() -> int:
    """The state of every record other than a document: public."""
    return _state_ids([_RECORD])[_RECORD]


def _log(changes: Sequence[Change]) -> None:
    Change.objects.bulk_create(changes)


def document_changed(
    documents: Iterable[Document],
    *,
    kind: str = ChangeKind.UPDATED,
    fields: Iterable[str] = (),
    scope: str | None = None,
) -> None:
    """These documents changed, but not who may see them. ``scope`` defaults to LISTING when
    one of ``fields`` is among what the public register lists, else FULL."""
    documents = list(documents)
    fields = sorted(set(fields))
    if scope is None:
        scope = ChangeScope.LISTING if LISTED_FIELDS & set(fields) else ChangeScope.FULL
    states = document_states(d.pk for d in documents)
    # A document deleted meanwhile by a committed transaction has no state: the links to it
    # written here fail their deferred foreign key at commit, so nothing is logged for it.
    _log(
        [
            Change(
                record=RecordKind.DOCUMENT, record_id=d.pk, key=d.slug, kind=kind, scope=scope,
                fields=",".join(fields), was_id=states[d.pk], now_id=states[d.pk],
            )
            for d in sorted(documents, key=lambda d: d.pk)
            if d.pk in states
        ]
    )  # fmt: skip


def document_visibility_changed(
    document: Document,
    *,
    kind: str,
    was: int | None,
    fields: Iterable[str] = (),
    document_id: int | None = None,
) -> None:
    """Who may see ``document`` may have changed (``was``: its state before, None if it is
    new; ``document_id``: its id, when it was just deleted). Logs the document's own change,
    and a link change for every record naming it."""
    pk = document.pk if document_id is None else document_id
    now = document_states([pk]).get(pk)
    _log(
        [
            Change(
                record=RecordKind.DOCUMENT, record_id=pk, key=document.slug, kind=kind,
                scope=ChangeScope.LISTING, fields=",".join(sorted(set(fields))), was_id=was,
                now_id=now,
            )
        ]
    )  # fmt: skip
    if was != now:
        links_changed(document_ids=[pk], was={pk: was}, now={pk: now})


def links_changed(
    *, document_ids: Iterable[int], was: dict[int, int | None], now: dict[int, int | None]
) -> None:
    """Records naming these documents show them according to their visibility, which went from
    ``was`` to ``now``: log a link change on each of them."""
    ids = set(document_ids)
    naming: list[tuple[str, int, str, int, int]] = []  # (record, id, key, target, level)
    for pk, parent, slug in Document.objects.filter(parent_id__in=ids).values_list(
        "pk", "parent_id", "slug"
    ):
        naming.append((RecordKind.DOCUMENT, pk, slug, parent, LISTED))
    for pk, cited, slug in Citation.objects.filter(cited_id__in=ids).values_list(
        "document_id", "cited_id", "document__slug"
    ):
        naming.append((RecordKind.DOCUMENT, pk, slug, cited, LISTED))
    for pk, target, key in AgendaItemDocument.objects.filter(document_id__in=ids).values_list(
        "agenda_item__meeting_id", "document_id", "agenda_item__meeting__key"
    ):
        naming.append((RecordKind.MEETING, pk, key, target, READ))
    for field in ("notice_id", "outcome_document_id"):
        for pk, target, key in Meeting.objects.filter(**{f"{field}__in": ids}).values_list(
            "pk", field, "key"
        ):
            naming.append((RecordKind.MEETING, pk, key, target, READ))
    for pk, target, key in ProcedureEvent.objects.filter(document_id__in=ids).values_list(
        "procedure_id", "document_id", "procedure__slug"
    ):
        naming.append((RecordKind.PROCEDURE, pk, key, target, READ))
    naming = sorted(set(naming))
    if not naming:
        return
    documents = document_states(pk for record, pk, *_rest in naming if record == "document")
    public = record_state()
    _log(
        [
            Change(
                record=record, record_id=pk, key=key, kind=ChangeKind.UPDATED,
                scope=ChangeScope.LINK, link_level=level, link_was_id=was.get(target),
                link_now_id=now.get(target),
                was_id=documents.get(pk) if record == RecordKind.DOCUMENT else public,
                now_id=documents.get(pk) if record == RecordKind.DOCUMENT else public,
            )
            for record, pk, key, target, level in naming
            if was.get(target) != now.get(target)
        ]
    )  # fmt: skip


def record_links_changed(
    *, record: str, record_id: int, key: str, documents: dict[int, bool], level: int = READ
) -> None:
    """A public record's links to ``documents`` changed (True: now linked, False: unlinked),
    nothing else of it: only callers who may see those documents at ``level`` are told."""
    if not documents:
        return
    states = document_states(documents)
    public = record_state()
    _log(
        [
            Change(
                record=record, record_id=record_id, key=key, kind=ChangeKind.UPDATED,
                scope=ChangeScope.LINK, link_level=level,
                link_was_id=None if linked else states[pk],
                link_now_id=states[pk] if linked else None, was_id=public, now_id=public,
            )
            for pk, linked in sorted(documents.items())
            if pk in states
        ]
    )  # fmt: skip


def record_changed(
    *,
    record: str,
    record_id: int,
    key: str,
    kind: str = ChangeKind.UPDATED,
    fields: Iterable[str] = (),
) -> None:
    """A public record (procedure, meeting, body, subject code, delegation) was created,
    changed or deleted (``kind``)."""
    public = record_state()
    _log(
        [
            Change(
                record=record, record_id=record_id, key=key, kind=kind,
                scope=ChangeScope.LISTING, fields=",".join(sorted(set(fields))),
                was_id=None if kind == ChangeKind.CREATED else public,
                now_id=None if kind == ChangeKind.DELETED else public,
            )
        ]
    )  # fmt: skip


def changes_pending() -> bool:
    """Whether committed changes wait for a position (a cheap read: a partial index)."""
    return Change.objects.filter(position__isnull=True).exists()


@transaction.atomic
def changes_sequence() -> int:
    """Give positions to every committed change that has none, in id order; return the last.

    One sequencer at a time (an advisory lock held to commit). Rows still uncommitted are
    invisible here and get a higher position on a later run, so positions only ever grow in
    the order changes became visible. Readers of positions (the feed, exports) call this first.
    """
    if connection.vendor != "postgresql":  # the SQLite demo: one writer at a time anyway
        last = Change.objects.aggregate(last=Max("position"))["last"] or 0
        pending = Change.objects.filter(position__isnull=True).order_by("id")
        for change_id in list(pending.values_list("id", flat=True)):
            last += 1
            Change.objects.filter(pk=change_id).update(position=last)
        return last
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK])
        # One statement numbers every pending row, in id order, after the last position.
        cursor.execute(
            """
            WITH last AS (SELECT coalesce(max(position), 0) AS position FROM documents_change),
                 pending AS (SELECT id, row_number() OVER (ORDER BY id) AS n
                             FROM documents_change WHERE position IS NULL)
            UPDATE documents_change AS change
            SET position = last.position + pending.n
            FROM pending, last
            WHERE change.id = pending.id
            """
        )
        cursor.execute("SELECT coalesce(max(position), 0) FROM documents_change")
        return cursor.fetchone()[0]
