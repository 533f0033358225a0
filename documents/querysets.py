"""Who may see what: the one place the rule of DOMAIN.md lives.

| document                      | public                         | delegation | clerk      |
| public, or LIMITE released    | metadata and files             | all        | all        |
| LIMITE ST/CM/SN               | reference, date, type, subject | all        | all        |
| any WK document               | nothing                        | all        | all        |
| classified                    | nothing                        | if cleared | if cleared |

An observer delegation sees what the public sees, plus what is distributed to it explicitly.
At the registry desk only security officers' clearances count (clerks never see classified).
Records other than documents (procedures, meetings, bodies, subject codes, delegations) are
public; what they say of documents goes through this rule too.

The rule is written once, ``_rule()``, as conditions on the facts that decide it (series,
classification, distribution, released, distributed to). It runs on two kinds of rows:

- documents themselves (``Document.objects.visible_to(user)`` and friends), and
- the visibility states the change log keeps (``VisibilityState``): a change records the state
  of its document before and after, so the feed can tell, for any caller, whether a change is
  one they may see, without re-implementing the rule.

"Public" means readable by the anonymous user (``public_reading()``), nowhere else decided.
Every door (API, admin, feeds, exports, e-mails, downloads) asks these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class AudienceKind(Enum):
    PUBLIC = "public"
    OBSERVER = "observer"
    DELEGATION = "delegation"
    SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Audience:
    """What kind of reader a user is, for the visibility rule."""

    kind: AudienceKind
    clearance: int = 0
    delegation_id: int | None = None

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser | None) -> Audience:
        from documents.models.choices import DelegationKind

        if user is None or not user.is_authenticated or not user.is_active:
            return cls(AudienceKind.PUBLIC)
        profile = getattr(user, "profile", None)
        clearance = profile.clearance if profile else 0
        if user.is_staff and user.has_perm("documents.view_document"):
            # At the registry desk only security officers handle classified metadata: a
            # clerk's or supervisor's clearance does not open it.
            cleared = user.has_perm("documents.classify_document")
            return cls(AudienceKind.SECRETARIAT, clearance if cleared else 0)
        delegation = profile.delegation if profile else None
        if delegation is None:
            return cls(AudienceKind.PUBLIC)
        if delegation.kind == DelegationKind.OBSERVER:
            return cls(AudienceKind.OBSERVER, clearance, delegation.pk)
        return cls(AudienceKind.DELEGATION, clearance, delegation.pk)


PUBLIC = Audience(AudienceKind.PUBLIC)


def _rule(audience: Audience, *, released: Q, distributed: Callable[[int], Q]) -> tuple[Q, Q]:
    """(may see it listed, may read everything), as conditions on rows that carry ``series``,
    ``classification`` and ``distribution``; ``released`` and ``distributed(delegation_id)``
    say how those rows record a release and an explicit distribution."""
    from documents.models.choices import (
        PUBLIC_REGISTER_SERIES,
        Classification,
        Distribution,
        Series,
    )

    unclassified = Q(classification=Classification.UNCLASSIFIED)
    # What the public may read in full: unclassified, not WK, never LIMITE or released since.
    public_reading = (
        unclassified & ~Q(series=Series.WK) & (Q(distribution=Distribution.PUBLIC) | released)
    )
    # What the public register lists: that, and the LIMITE documents of the public register's
    # series (reference, date, type and subject only).
    public_listing = public_reading | (unclassified & Q(series__in=sorted(PUBLIC_REGISTER_SERIES)))
    if audience.kind is AudienceKind.PUBLIC:
        return public_listing, public_reading
    cleared = Q(classification__lte=audience.clearance)
    if audience.kind is AudienceKind.OBSERVER:
        readable = public_reading | (distributed(audience.delegation_id) & cleared)
        return public_listing | readable, readable
    return cleared, cleared


def visibility_rules(user, *, document: str = "pk") -> tuple[Q, Q]:
    """(may see it listed, may read everything) for ``user``, as conditions on documents
    (``document`` names the column holding the document's id in the outer query)."""
    from documents.models.documents import DocumentDistribution

    def distributed(delegation_id: int) -> Q:
        return Q(
            Exists(
                DocumentDistribution.objects.filter(
                    document=OuterRef(document), delegation_id=delegation_id
                )
            )
        )

    return _rule(Audience.of(user), released=Q(released_at__isnull=False), distributed=distributed)


def public_reading() -> Q:
    """What anybody may read in full: the one definition of a *public* document."""
    _listed, readable = visibility_rules(None)
    return readable


def _as_boolean(condition: Q) -> models.Case:
    return models.Case(
        models.When(condition, then=models.Value(True)),
        default=models.Value(False),
        output_field=models.BooleanField(),
    )


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        """Documents ``user`` may know exist (some with restricted metadata only)."""
        listed, _readable = visibility_rules(user)
        return self.filter(listed)

    def readable_by(self, user) -> DocumentQuerySet:
        """Documents whose full metadata and files ``user`` may read."""
        _listed, readable = visibility_rules(user)
        return self.filter(readable)

    def with_access(self, user) -> DocumentQuerySet:
        """Visible documents, annotated with ``full_access`` (False: reference, date, type and
        subject only, as the public register lists LIMITE documents) and ``public``."""
        listed, readable = visibility_rules(user)
        return self.filter(listed).annotate(full_access=_as_boolean(readable)).with_public()

    def with_public(self) -> DocumentQuerySet:
        """Annotated with ``public``: whether the public may read the document in full."""
        return self.annotate(public=_as_boolean(public_reading()))

    def public(self) -> DocumentQuerySet:
        return self.filter(public_reading())

    def public_if_released(self) -> DocumentQuerySet:
        """Documents a release would make public (a released WK or classified document is
        still not public: releasing those is no decision the release review asks for)."""
        _listed, readable = _rule(
            PUBLIC, released=Q(pk__isnull=False), distributed=lambda delegation_id: Q()
        )
        return self.filter(readable)


# --- the rule on the states the change log keeps ----------------------------------------------


@dataclass(frozen=True)
class StateLevels:
    """Which visibility states ``user`` may see listed, and which in full."""

    listed: frozenset[int]
    readable: frozenset[int]

    def level(self, state_id: int | None) -> int:
        """0: not seen (or no such record), 1: listed only, 2: read in full."""
        if state_id in self.readable:
            return 2
        return 1 if state_id in self.listed else 0


# The levels of each audience, with the last state id they were computed for: states are
# immutable and only ever added, so they hold until a new state appears (one cheap query tells).
_LEVELS: dict[Audience, tuple[int, StateLevels]] = {}


def state_levels(user) -> StateLevels:
    """The rule applied to every visibility state the log knows (a small table): records other
    than documents are public; document states follow the table above."""
    from documents.models.changes import VisibilityState

    audience = Audience.of(user)
    last = VisibilityState.objects.aggregate(last=models.Max("pk"))["last"] or 0
    known = _LEVELS.get(audience)
    if known is not None and known[0] == last:
        return known[1]
    levels = _state_levels(audience)
    _LEVELS[audience] = (last, levels)
    return levels


def _state_levels(audience: Audience) -> StateLevels:
    from documents.models.changes import VisibilityState

    def distributed(delegation_id: int) -> Q:
        return Q(distributed__contains=f",{delegation_id},")

    listed, readable = _rule(audience, released=Q(released=True), distributed=distributed)
    record = Q(record=True)
    rows = VisibilityState.objects.annotate(
        listed=_as_boolean(record | (Q(record=False) & listed)),
        readable=_as_boolean(record | (Q(record=False) & readable)),
    ).values_list("pk", "listed", "readable")
    rows = list(rows)
    return StateLevels(
        listed=frozenset(pk for pk, is_listed, _r in rows if is_listed),
        readable=frozenset(pk for pk, _l, is_readable in rows if is_readable),
    )
