"""Recording reads for the audit trail."""

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from documents.models import Distribution, Document, DocumentRead, ReadKind
from documents.querysets import Audience, AudienceKind

logger = logging.getLogger(__name__)


def reads_record(*, user, documents: Iterable[Document], via: str, address: str | None) -> None:
    """Record the LIMITE documents a delegation user was shown in full (one insert)."""
    audience = Audience.of(user)
    if audience.kind not in (AudienceKind.DELEGATION, AudienceKind.OBSERVER):
        return
    read = [
        document
        for document in documents
        if document.distribution == Distribution.LIMITE and getattr(document, "full_access", True)
    ]
    _insert(
        [
            DocumentRead(
                user=user, delegation_id=audience.delegation_id, document=document,
                kind=ReadKind.READ, via=via, address=address,
            )
            for document in read
        ]
    )  # fmt: skip


def _insert(records: list[DocumentRead], attempts: int = 3) -> None:
    """Insert the records; reads of documents deleted meanwhile are left out (logged), and the
    read that was answered is never turned into an error.

    Foreign keys are checked at commit, so a document deleted by a transaction committing
    just before ours fails the insert then: drop what no longer exists and try again.
    """
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                DocumentRead.objects.bulk_create(records)
            return
        except IntegrityError:
            ids = [record.document_id for record in records]
            existing = set(Document.objects.filter(pk__in=ids).values_list("pk", flat=True))
            kept = [record for record in records if record.document_id in existing]
            logger.warning(
                "audit: read of %d deleted document(s) not recorded", len(records) - len(kept)
            )
            records = kept
    logger.error("audit: %d read(s) not recorded after %d attempts", len(records), attempts)


def download_record(*, user, document: Document, language: str, address: str | None) -> None:
    """Record a file download, whoever made it."""
    audience = Audience.of(user)
    _insert([
        DocumentRead(
            user=user if user is not None and user.is_authenticated else None,
            delegation_id=audience.delegation_id, document=document, kind=ReadKind.DOWNLOAD,
            language=language, via="api-file", address=address,
        )
    ])  # fmt: skip
