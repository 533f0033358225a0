"""Recording reads for the audit trail.

A read of a LIMITE document by a delegation user is counted into one row per (user, document,
Brussels day, door) by an upsert (``INSERT ... ON CONFLICT DO UPDATE``): concurrent requests
never lose a count nor race to create the row, and a busy mirror paging the feed all day
writes a row per document it was shown, not per page. Downloads stay one row each.

Recording is part of answering a read, never a reason to fail it: see ``_record``.
"""

import logging
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from documents.models import Distribution, Document, DocumentRead, ReadKind
from documents.querysets import Audience, AudienceKind

logger = logging.getLogger(__name__)

BRUSSELS = ZoneInfo("Europe/Brussels")
# Written by the upsert, in this order.
_COLUMNS = (
    "user", "delegation", "document", "kind", "language", "via", "address", "day", "count",
    "at", "last_at",
)  # fmt: skip


def reads_record(*, user, documents: Iterable[Document], via: str, address: str | None) -> None:
    """Count the LIMITE documents a delegation user was shown in full (one statement)."""
    audience = Audience.of(user)
    if audience.kind not in (AudienceKind.DELEGATION, AudienceKind.OBSERVER):
        return
    read = {
        document.pk: document
        for document in documents
        if document.distribution == Distribution.LIMITE and getattr(document, "full_access", True)
    }
    now = timezone.now()
    day = timezone.localdate(now, BRUSSELS)
    _record(
        [
            DocumentRead(
                user=user, delegation_id=audience.delegation_id, document_id=pk,
                kind=ReadKind.READ, via=via, address=address, day=day, count=1, at=now,
                last_at=now,
            )
            # In document order: concurrent upserts lock their rows in one order, no deadlock.
            for pk in sorted(read)
        ],
        _upsert,
    )  # fmt: skip


def download_record(*, user, document: Document, language: str, address: str | None) -> None:
    """Record a file download, whoever made it (one row each)."""
    audience = Audience.of(user)
    now = timezone.now()
    _record(
        [
            DocumentRead(
                user=user if user is not None and user.is_authenticated else None,
                delegation_id=audience.delegation_id, document=document, kind=ReadKind.DOWNLOAD,
                language=language, via="api-file", address=address,
                day=timezone.localdate(now, BRUSSELS), at=now, last_at=now,
            )
        ],
        DocumentRead.objects.bulk_create,
    )  # fmt: skip


def _upsert(records: list[DocumentRead]) -> None:
    """Insert the read rows, or add their counts to the rows of the same user, document, day
    and door (the partial unique index ``one_row_per_day``). Works on PostgreSQL and SQLite."""
    if not records:
        return
    fields = [DocumentRead._meta.get_field(name) for name in _COLUMNS]
    table = connection.ops.quote_name(DocumentRead._meta.db_table)
    column = {field.name: connection.ops.quote_name(field.column) for field in fields}
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    latest = f"EXCLUDED.{column['last_at']} >= {table}.{column['last_at']}"
    sql = (
        f"INSERT INTO {table} ({', '.join(column.values())}) "
        f"VALUES {', '.join([row] * len(records))} "
        f"ON CONFLICT ({column['user']}, {column['document']}, {column['day']}, {column['via']}) "
        f"WHERE {column['kind']} = 'read' DO UPDATE SET "
        f"{column['count']} = {table}.{column['count']} + EXCLUDED.{column['count']}, "
        f"{column['address']} = CASE WHEN {latest} "
        f"THEN EXCLUDED.{column['address']} ELSE {table}.{column['address']} END, "
        f"{column['last_at']} = CASE WHEN {latest} "
        f"THEN EXCLUDED.{column['last_at']} ELSE {table}.{column['last_at']} END"
    )
    params = [
        field.get_db_prep_save(getattr(record, field.attname), connection)
        for record in records
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _record(
    records: list[DocumentRead],
    write: Callable[[list[DocumentRead]], object],
    attempts: int = 3,
) -> None:
    """Write the records; reads of documents deleted meanwhile are left out (logged), and the
    read that was answered is never turned into an error.

    Foreign keys are checked at commit, so a document deleted by a transaction committing
    just before ours fails the write then: drop what no longer exists and try again.
    """
    for _attempt in range(attempts):
        if not records:
            return
        try:
            with transaction.atomic():
                write(records)
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
