"""A complete, consistent snapshot of the register as one audience sees it.

One gzip'd JSON Lines file per resource (documents, procedures, meetings, bodies, subject codes,
delegations), each line exactly what the API's list gives that audience: the lines come from
the lists themselves (their viewsets' querysets, selectors and serializers, through the one
rule), read in the list's own order, a batch at a time. A ``manifest.json`` gives each file's
record count, size and SHA-256, the audience, when, the versions, and the changes feed
``cursor`` to follow from.

**Consistency.** Changes waiting for a feed position get one first (``changes_sequence``);
then the last position and every resource are read in one ``REPEATABLE READ, READ ONLY``
transaction on the primary, which sees one committed state throughout. Every change up to the
cursor's position is in the dump (positions are handed out after commit, so a position the
snapshot sees belongs to a transaction it sees). A change committed later, or committed before
the snapshot but sequenced after it, has a higher position: the mirror replays it from the
cursor, and since an upsert carries the record as it is now and a tombstone removes it,
replaying something the dump already holds changes nothing.

**Audiences.** ``public``: the anonymous reader. ``delegation``: a member-state delegate
without clearance (what every member state's delegates see: WK and LIMITE documents, no
classified ones), read by an in-memory reader the rule recognises as such; no account stands
behind it, so nobody can log in or hold a token as it. Only the public dump is served by the
API; the delegation dump is for operators to hand over.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from api.dumps import store
from api.pagination import token_encode
from api.views.changes import PURPOSE as FEED_CURSOR
from api.views.documents import DocumentViewSet
from api.views.registry import (
    BodyViewSet,
    DelegationViewSet,
    MeetingViewSet,
    ProcedureViewSet,
    SubjectCodeViewSet,
)
from documents.models import Change, Classification, Delegation, DelegationKind
from documents.services.changes import changes_pending, changes_sequence
from tracker.db_router import primary

FORMAT = 1  # the layout of a dump; the lines follow the API's version (``api_version``)
AUDIENCES = ("public", "delegation")
# The lists whose lines make a dump: the file (and list) name, and the list's viewset.
RESOURCES = {
    "documents": DocumentViewSet,
    "procedures": ProcedureViewSet,
    "meetings": MeetingViewSet,
    "bodies": BodyViewSet,
    "subject-codes": SubjectCodeViewSet,
    "delegations": DelegationViewSet,
}
BATCH = 500  # rows serialized at a time: memory stays flat whatever the register's size
_LOCK = 7_100_453  # with the audience's index: one export of an audience at a time


class ExportError(Exception):
    """An export that cannot run (another one of the audience runs, a bad output folder)."""


class _DelegateReader:
    """A member-state delegate without clearance, in memory only: the visibility rule
    (``documents.querysets.Audience.of``) reads it as any such delegate. No account stands
    behind it: nobody can log in, hold a token or be audited as it."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self) -> None:
        delegation = Delegation(kind=DelegationKind.MEMBER_STATE)
        self.profile = SimpleNamespace(clearance=Classification.UNCLASSIFIED, delegation=delegation)

    def has_perm(self, perm: str, obj=None) -> bool:
        return False


def reader_of(audience: str):
    if audience == "public":
        return AnonymousUser()
    if audience == "delegation":
        return _DelegateReader()
    raise ExportError(f"unknown audience {audience!r}: choose {' or '.join(AUDIENCES)}")


class _SiteRequest(HttpRequest):
    """A GET of a list at ``SITE_URL``: the absolute URLs in the lines are the site's."""

    def __init__(self, path: str) -> None:
        super().__init__()
        site = urlsplit(settings.SITE_URL)
        self.method = "GET"
        self.path = self.path_info = path
        self._site = site.scheme, site.netloc

    def _get_scheme(self) -> str:
        return self._site[0]

    def get_host(self) -> str:
        return self._site[1]


@dataclass(frozen=True)
class Dump:
    folder: Path
    manifest: dict


def dump_build(*, audience: str, output: Path | None = None, batch_size: int = BATCH) -> Dump:
    """Write a dump of the register as ``audience`` sees it and publish it: as the audience's
    latest under ``DUMPS_ROOT``, or (``output``) as that new folder.

    Refused (``ExportError``) for an unknown audience, an ``output`` that exists and is not an
    empty folder, or while another export of the audience runs. Never called inside a
    transaction: it reads one snapshot of its own. ``batch_size``: rows serialized at a time.
    """
    reader = reader_of(audience)
    if output is not None and (problem := store.output_check(output)):
        raise ExportError(problem)
    if connection.in_atomic_block:
        raise ExportError("an export reads a snapshot of its own: call it outside a transaction")
    with primary(), _exclusive(audience):
        parent = store.audience_folder(audience) if output is None else output.parent
        folder = store.folder_new(parent, prefix=".tmp-" if output is None else f".{output.name}-")
        try:
            manifest = _write(folder, audience=audience, reader=reader, batch_size=batch_size)
            if output is None:
                final = store.publish(folder, audience=audience, dump_id=manifest["id"])
            else:
                final = store.publish_to(folder, output)
        except BaseException:
            _remove(folder)
            raise
    return Dump(final, manifest)


def _write(folder: Path, *, audience: str, reader, batch_size: int) -> dict:
    if changes_pending():
        changes_sequence()
    files = []
    with _snapshot(), timezone.override(datetime.UTC):  # the API speaks UTC
        position = Change.objects.aggregate(last=Max("position"))["last"] or 0
        created = timezone.now()
        for resource, viewset in RESOURCES.items():
            lines = _lines(viewset, resource, reader, batch_size)
            files.append(_file_write(folder, resource, lines))
    manifest = {
        "format": FORMAT,
        "api_version": settings.SPECTACULAR_SETTINGS["VERSION"],
        "audience": audience,
        "id": created.strftime("%Y%m%dT%H%M%S%fZ"),
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "cursor": token_encode(FEED_CURSOR, {"p": position}),
        "files": files,
    }
    path = folder / store.MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    store.file_sync(path)
    store.file_sync(folder)
    return manifest


@contextmanager
def _snapshot():
    """One transaction on the primary whose reads all see the same committed state."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # SQLite (the demo): a read transaction holds its shared lock to the end anyway.
        yield


@contextmanager
def _exclusive(audience: str):
    """One export of an audience at a time, across every host (a PostgreSQL advisory lock;
    the SQLite demo has one process)."""
    if connection.vendor != "postgresql":
        yield
        return
    key = [_LOCK, AUDIENCES.index(audience)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        if not cursor.fetchone()[0]:
            raise ExportError(f"another export of the {audience} dump is running")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        except DatabaseError:
            pass  # the connection is gone, and the session's lock with it


def _lines(viewset, resource: str, reader, batch_size: int) -> Iterator[list[bytes]]:
    """The list of ``viewset`` as ``reader`` gets it, as JSON lines, ``batch_size`` rows at a
    time: one query read through a server-side cursor, its prefetches run per batch.

    One query, not one per keyset page: the lists' querysets probe some links with
    ``Exists`` subqueries that PostgreSQL may run as a hash of every visible row, built once
    per query; a page at a time would build it again for every page."""
    request = Request(_SiteRequest(f"/api/v1/{resource}/"), authenticators=())
    request.user = reader
    view = viewset(request=request, args=(), kwargs={}, format_kwarg=None, action="list")
    view.headers = {}
    queryset = view.filter_queryset(view.get_queryset())
    orderings = view.pagination_class.orderings
    rows = queryset.order_by(*orderings[next(iter(orderings))])  # the list's default order
    renderer = JSONRenderer()
    stream = rows.iterator(chunk_size=batch_size)
    while batch := list(islice(stream, batch_size)):
        yield [renderer.render(item) + b"\n" for item in view.get_serializer(batch, many=True).data]


class _Counted:
    """A file written through, counting and hashing every byte on the way."""

    def __init__(self, raw) -> None:
        self.raw, self.size, self.sha256 = raw, 0, hashlib.sha256()

    def write(self, data) -> int:
        self.raw.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


def _file_write(folder: Path, resource: str, pages: Iterator[list[bytes]]) -> dict:
    name = f"{resource}.jsonl.gz"
    records = 0
    with (folder / name).open("wb") as raw:
        counted = _Counted(raw)
        # No name or time in the gzip header: the same register gives the same bytes.
        with gzip.GzipFile(
            filename="", mode="wb", fileobj=counted, mtime=0, compresslevel=6
        ) as compressed:
            for lines in pages:
                compressed.write(b"".join(lines))
                records += len(lines)
        raw.flush()
        store.file_sync(folder / name)
    return {
        "name": name,
        "resource": resource,
        "records": records,
        "bytes": counted.size,
        "sha256": counted.sha256.hexdigest(),
    }


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
