"""DOMAIN.md's "Who may see what", written as plain Python: the tests' independent answer.

Nothing here imports the application's rule. A test asks this module what a caller should
get of a document and compares it with what each door of the application answers; a bug that
two doors share cannot pass by agreeing with itself.

| document                          | public           | delegation          | clerk          |
| public ST/CM (no marking, or      | metadata, files  | metadata, files     | all            |
|   LIMITE released)                |                  |                     |                |
| LIMITE ST/CM/SN                   | reference, date, | metadata, files     | all            |
|                                   | type, subject    |                     |                |
| any WK document                   | nothing          | metadata, files     | all            |
| classified                        | nothing          | metadata if cleared | same, cleared  |

An observer delegation sees LIMITE documents only when they are distributed to it explicitly.
At the registry desk only a security officer's clearance opens classified documents.
DS and PE-CONS LIMITE documents are not in the public register (README, unconfirmed).
"""

from dataclasses import dataclass, field

FULL, LISTED, HIDDEN = "full", "listed", "hidden"
PUBLIC_REGISTER = {"ST", "CM", "SN"}


@dataclass(frozen=True)
class Caller:
    kind: str  # "public", "member", "observer", "clerk", "officer"
    clearance: int = 0
    delegation: str | None = None


@dataclass(frozen=True)
class Facts:
    series: str
    distribution: str  # "PUBLIC" or "LIMITE"
    released: bool = False
    classification: int = 0
    distributed_to: frozenset[str] = field(default_factory=frozenset)


def public_may_read(doc: Facts) -> bool:
    """Public: no classification, not a WK document, and no LIMITE marking or released."""
    if doc.classification > 0 or doc.series == "WK":
        return False
    return doc.distribution == "PUBLIC" or doc.released


def access(caller: Caller, doc: Facts) -> str:
    """What ``caller`` gets of ``doc``: FULL, LISTED (reference, date, type, subject) or
    HIDDEN."""
    if caller.kind in ("member", "clerk", "officer"):
        clearance = 0 if caller.kind == "clerk" else caller.clearance
        return FULL if doc.classification <= clearance else HIDDEN
    if public_may_read(doc):
        return FULL
    if (
        caller.kind == "observer"
        and caller.delegation in doc.distributed_to
        and doc.classification <= caller.clearance
    ):
        return FULL
    if doc.classification == 0 and doc.series in PUBLIC_REGISTER:
        return LISTED
    return HIDDEN


def facts_of(document) -> Facts:
    """The facts of a stored document (its own fields, read plainly)."""
    return Facts(
        series=document.series,
        distribution=document.distribution,
        released=document.released_at is not None,
        classification=document.classification,
        distributed_to=frozenset(d.code for d in document.distributed_to.all()),
    )


def is_public(document) -> bool:
    return public_may_read(facts_of(document))
