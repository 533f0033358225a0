"""Recording reads for the audit trail."""

from collections.abc import Iterable

from documents.models import Distribution, Document, DocumentRead, ReadKind
from documents.querysets import Audience, AudienceKind


def reads_record(*, user, documents: Iterable[Document], via: str, address: str | None) -> None:
    """Record the LIMITE documents a delegation user was shown in full (one insert)."""
    audience = Audience.of(user)
    if audience.kind not in (AudienceKind.DELEGATION, AudienceKind.OBSERVER):
        return
    DocumentRead.objects.bulk_create(
        DocumentRead(
            user=user,
            delegation_id=audience.delegation_id,
            document=document,
            kind=ReadKind.READ,
            via=via,
            address=address,
        )
        for document in documents
        if document.distribution == Distribution.LIMITE and getattr(document, "full_access", True)
    )


def download_record(*, user, document: Document, language: str, address: str | None) -> None:
    """Record a file download, whoever made it."""
    audience = Audience.of(user)
    DocumentRead.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        delegation_id=audience.delegation_id, document=document, kind=ReadKind.DOWNLOAD,
        language=language, via="api-file", address=address,
    )  # fmt: skip
