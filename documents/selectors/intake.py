"""What the intake shows at the desk: the register's placeholders."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from documents.models import Citation, Document

MAX_AWAITED = 500


@dataclass
class Awaited:
    """A reference cited but not registered (a placeholder), and who cites it."""

    reference: str
    citing: list[Document] = field(default_factory=list)


def awaited_references(user, *, limit: int = MAX_AWAITED) -> list[Awaited]:
    """References cited by documents ``user`` may read in full that are not registered yet,
    most cited first, with the citing documents (only those ``user`` may read).

    A placeholder is a citation kept by reference (``Citation.cited`` empty): nothing of the
    cited document exists to be hidden, and what cites it is shown through the one rule.
    """
    readable = Document.objects.readable_by(user).filter(pk=OuterRef("document_id"))
    citations = (
        Citation.objects.filter(cited__isnull=True)
        .filter(Exists(readable))
        .select_related("document")
        .order_by("reference", "document__reference")[: limit * 10]
    )
    found: dict[str, Awaited] = {}
    for citation in citations:
        found.setdefault(citation.reference, Awaited(citation.reference)).citing.append(
            citation.document
        )
    ranked = sorted(found.values(), key=lambda a: (-len(a.citing), a.reference))
    return ranked[:limit]
