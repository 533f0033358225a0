"""Who may see what: the one place the rule of DOMAIN.md lives.

| document                      | public                         | delegation | clerk      |
| public, or LIMITE released    | metadata and files             | all        | all        |
| LIMITE ST/CM/SN               | reference, date, type, subject | all        | all        |
| any WK document               | nothing                        | all        | all        |
| classified                    | nothing                        | if cleared | if cleared |

An observer delegation sees what the public sees, plus what is distributed to it explicitly.
At the registry desk only security officers' clearances count (clerks never see classified).
Every door (API, admin, feeds, e-mails, downloads) asks these methods; none re-implements them.
"""

from __future__ import annotations

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


def _public_reading() -> Q:
    """What the public may read in full: unclassified, not WK, never LIMITE or released since."""
    from documents.models.choices import Classification, Distribution, Series

    return (
        Q(classification=Classification.UNCLASSIFIED)
        & ~Q(series=Series.WK)
        & (Q(distribution=Distribution.PUBLIC) | Q(released_at__isnull=False))
    )


def _public_listing() -> Q:
    """What the public register lists: what the public reads, and the LIMITE documents of the
    public register's series (reference, date, type and subject only)."""
    from documents.models.choices import PUBLIC_REGISTER_SERIES, Classification

    return _public_reading() | Q(
        classification=Classification.UNCLASSIFIED, series__in=PUBLIC_REGISTER_SERIES
    )


def visibility_rules(user, *, document: str = "pk") -> tuple[Q, Q]:
    """(may see it listed, may read everything) for ``user``, as conditions on rows that
    carry a document's ``series``, ``classification``, ``distribution`` and ``released_at``:
    documents themselves, or the snapshots the change log keeps (``document`` names the
    column holding the document's id there)."""
    from documents.models.documents import DocumentDistribution

    audience = Audience.of(user)
    if audience.kind is AudienceKind.PUBLIC:
        return _public_listing(), _public_reading()
    cleared = Q(classification__lte=audience.clearance)
    if audience.kind is AudienceKind.OBSERVER:
        distributed = Exists(
            DocumentDistribution.objects.filter(
                document=OuterRef(document), delegation_id=audience.delegation_id
            )
        )
        readable = _public_reading() | (distributed & cleared)
        return _public_listing() | readable, readable
    return cleared, cleared


class DocumentQuerySet(models.QuerySet):
    def _rules(self, user) -> tuple[Q, Q]:
        return visibility_rules(user)

    def visible_to(self, user) -> DocumentQuerySet:
        """Documents ``user`` may know exist (some with restricted metadata only)."""
        listed, _readable = self._rules(user)
        return self.filter(listed)

    def readable_by(self, user) -> DocumentQuerySet:
        """Documents whose full metadata and files ``user`` may read."""
        _listed, readable = self._rules(user)
        return self.filter(readable)

    def with_access(self, user) -> DocumentQuerySet:
        """Visible documents, annotated with ``full_access`` (False: reference, date, type and
        subject only, as the public register lists LIMITE documents)."""
        listed, readable = self._rules(user)
        return self.filter(listed).annotate(
            full_access=models.Case(
                models.When(readable, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )
