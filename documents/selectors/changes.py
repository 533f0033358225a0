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

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from documents.models import Change, ChangeScope
from documents.querysets import StateLevels, state_levels


def _level(column: str, levels: StateLevels) -> Case:
    return Case(
        When(**{f"{column}__in": sorted(levels.readable)}, then=Value(2)),
        When(**{f"{column}__in": sorted(levels.listed)}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _shows(column: str, levels: StateLevels) -> Case:
    """1 when a link to a document in state ``column`` shows (its level reaches the link's)."""
    return Case(
        When(Q(link_level=1, **{f"{column}__in": sorted(levels.listed)}), then=Value(1)),
        When(Q(link_level=2, **{f"{column}__in": sorted(levels.readable)}), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def seen(changes: QuerySet, levels: StateLevels) -> QuerySet:
    """The changes of ``changes`` a caller with these ``levels`` sees, annotated with
    ``level_now`` (0: a tombstone, 1: listed, 2: read in full)."""
    annotated = changes.annotate(
        level_was=_level("was_id", levels),
        level_now=_level("now_id", levels),
        shows_was=_shows("link_was_id", levels),
        shows_now=_shows("link_now_id", levels),
    )
    return annotated.filter(
        ~Q(level_was=F("level_now"))
        | Q(scope=ChangeScope.LISTING, level_now__gte=1)
        | Q(scope=ChangeScope.FULL, level_now=2)
        | (Q(scope=ChangeScope.LINK, level_now=2) & ~Q(shows_was=F("shows_now")))
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
