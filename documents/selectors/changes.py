"""Which changes a caller is told about: the feed mirrors replay, digests, Last-Modified.

A change is *seen* by a caller when it changes something the caller may see:

- who may see the record changed for them (it appeared, went, or moved between listed-only
  and read-in-full): a creation, an upsert, or a tombstone;
- something everyone who lists the record sees changed, and they list it;
- something only readers of the whole record see changed, and they read it in full;
- a link to a document appeared or went for them: they read the record in full, and the linked
  document's visibility to them crossed the level at which the link shows.

The feed gives each record once, at its latest change the caller sees (a mirror replaying it
holds each record as it is now); two callers whose seen changes are the same get the same feed,
however many changes hidden from them are interleaved. Every decision of who sees what comes
from ``documents.querysets.state_levels`` (the one rule), applied to the states the log keeps.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import BooleanField, Exists, F, IntegerField, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from documents.models import Change, ChangeScope
from documents.querysets import StateLevels, state_levels


def _in(column: str, ids: frozenset[int]) -> str:
    # The ids are the state table's own integers: written into the SQL, they cost no
    # placeholders (a few hundred of those cost more to send than the query takes to run).
    return f"{column} IN ({', '.join(str(int(i)) for i in sorted(ids))})" if ids else "FALSE"


@lru_cache(maxsize=64)
def _seen_sql(levels: StateLevels) -> tuple[str, str]:
    """(the level of ``now`` for the caller, the condition that the caller sees the change),
    as SQL over a change row's own columns."""

    def level(column: str) -> str:
        return (
            f"(CASE WHEN {_in(column, levels.readable)} THEN 2 "
            f"WHEN {_in(column, levels.listed)} THEN 1 ELSE 0 END)"
        )

    def shows(column: str) -> str:
        """1 when a link to a document in that state shows (its level reaches the link's)."""
        return (
            f"(CASE WHEN link_level = 1 AND {_in(column, levels.listed)} THEN 1 "
            f"WHEN link_level = 2 AND {_in(column, levels.readable)} THEN 1 ELSE 0 END)"
        )

    now = level("now_id")
    condition = (
        f"({level('was_id')} <> {now})"
        f" OR (scope = '{ChangeScope.LISTING}' AND {now} >= 1)"
        f" OR (scope = '{ChangeScope.FULL}' AND {now} = 2)"
        f" OR (scope = '{ChangeScope.LINK}' AND {now} = 2"
        f" AND {shows('link_was_id')} <> {shows('link_now_id')})"
    )
    return now, f"({condition})"


def seen(changes: QuerySet, levels: StateLevels) -> QuerySet:
    """The changes of ``changes`` a caller with these ``levels`` sees, annotated with
    ``level_now`` (0: a tombstone, 1: listed, 2: read in full)."""
    now, condition = _seen_sql(levels)
    return changes.annotate(level_now=RawSQL(now, (), output_field=IntegerField())).filter(
        RawSQL(condition, (), output_field=BooleanField())
    )


def changes_seen_by(user, *, after: int, limit: int) -> list[Change]:
    """Up to ``limit`` changes after position ``after`` that ``user`` sees, each the latest
    such change of its record, in order: however many changes hidden from ``user`` lie in
    between, the page is full unless the log is exhausted."""
    levels = state_levels(user)
    later = seen(
        Change.objects.filter(
            record=OuterRef("record"),
            record_id=OuterRef("record_id"),
            position__gt=OuterRef("position"),
        ),
        levels,
    )
    page = (
        seen(Change.objects.filter(position__gt=after), levels)
        .filter(~Exists(later))
        .order_by("position")[:limit]
    )
    return list(page)


def last_seen_change(user, *, record: str, record_id: int) -> Change | None:
    """The latest change of one record that ``user`` sees (for ``Last-Modified``)."""
    changes = Change.objects.filter(record=record, record_id=record_id)
    # Newest first: changes still waiting for a position, then by position (the record index,
    # read backwards).
    newest = F("position").desc(nulls_first=True)
    return seen(changes, state_levels(user)).order_by(newest).first()
