"""The changes feed mirrors replay: every change, in order, as the caller may see it."""

from django.db.models import Min
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.feed_cursor import cursor_decode, cursor_encode
from api.pagination import is_whole_number
from api.serializers import DocumentListingSerializer, DocumentSerializer
from api.views.documents import client_address, documents_for
from documents.models import Change
from documents.querysets import visibility_rules
from documents.services.audit import reads_record
from documents.services.changes import changes_sequence
from tracker.db_router import primary

MAX_LIMIT = 500
# How many pages of the log one request reads at most, looking for changes to show.
SCAN_FACTOR = 10


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["upsert", "tombstone"])
    document_id = serializers.IntegerField()
    changed_at = serializers.DateTimeField()
    document = serializers.SerializerMethodField()

    @extend_schema_field(
        PolymorphicProxySerializer(
            component_name="DocumentOrListingOrNone",
            serializers=[DocumentSerializer, DocumentListingSerializer],
            resource_type_field_name=None,
            allow_null=True,  # a tombstone has no document
        )
    )
    def get_document(self, entry) -> dict | None:
        return entry["document"]


class ChangesPageSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    cursor = serializers.CharField(help_text="opaque: pass it as `after` to read on")
    next = serializers.URLField(allow_null=True)


@method_decorator(primary(), name="dispatch")  # positions and documents from one database
class ChangesView(APIView):
    """Every change to the register after position ``after``, oldest first.

    Each change carries the document as the caller may see it now (``upsert``), or only its
    id when it was deleted or became hidden from the caller (``tombstone``: drop it from a
    mirror). Changes to documents the caller never could see are not shown at all, and
    entries carry no position of their own: resume from the page's opaque ``cursor``.
    Replaying from the start (no ``after``) and then from each page's ``cursor`` rebuilds
    exactly what ``/api/v1/documents/`` shows this caller. Positions are handed out after
    commit, so a change committed late still comes after the ones already read, never before.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after", OpenApiTypes.STR, description="the cursor of the last page read"
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1 to {MAX_LIMIT}"),
        ],
        responses=ChangesPageSerializer,
    )
    def get(self, request):
        raw_after = request.query_params.get("after")
        after = cursor_decode(raw_after) if raw_after else 0
        limit = self._number(request, "limit", default=100, low=1, high=MAX_LIMIT)
        if unknown := sorted(set(request.query_params) - {"after", "limit", "format"}):
            raise ValidationError(
                {name: ["unknown parameter; known: after, limit"] for name in unknown}
            )
        changes_sequence()
        entries, shown, cursor, more = self._scan(request, after=after, limit=limit)
        reads_record(
            user=request.user, documents=shown, via="feed", address=client_address(request)
        )
        token = cursor_encode(cursor)
        next_url = (
            request.build_absolute_uri(f"{request.path}?after={token}&limit={limit}")
            if more
            else None
        )
        return Response({"changes": entries, "cursor": token, "next": next_url})

    def _scan(self, request, *, after: int, limit: int):
        """Up to ``limit`` entries after position ``after``, reading at most SCAN_FACTOR
        pages of the log. The cursor moves past what was shown, never past changes the caller
        was not shown (they are read again next time, and skipped again), except when a whole
        scan finds nothing to show: then it moves to the end of the scan, which tells only
        that the log is long, not how long."""
        entries, shown, context = [], {}, {"request": request}
        cursor, scanned_to = after, after
        for _page in range(SCAN_FACTOR):
            page = list(Change.objects.filter(position__gt=scanned_to).order_by("position")[:limit])
            if not page:
                return entries, list(shown.values()), cursor, False
            visible = documents_for(request.user).in_bulk({c.document_id for c in page})
            first_seen = _first_listed(request.user, {c.document_id for c in page} - set(visible))
            for change in page:
                if change.document_id in visible:
                    document = visible[change.document_id]
                    shown[document.pk] = document
                    entries.append(
                        _entry(change, "upsert", DocumentSerializer(document, context=context).data)
                    )
                elif first_seen.get(change.document_id, change.position + 1) <= change.position:
                    entries.append(_entry(change, "tombstone", None))
                else:
                    continue  # a document this caller never could see: not even that it changed
                cursor = change.position
                if len(entries) == limit:
                    return entries, list(shown.values()), cursor, True
            scanned_to = page[-1].position
            if len(page) < limit:
                return entries, list(shown.values()), cursor, False
        if not entries:
            cursor = scanned_to  # a whole scan of hidden changes: move on, or stay stuck
        return entries, list(shown.values()), cursor, True

    @staticmethod
    def _number(request, name: str, *, default: int, low: int, high: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not is_whole_number(raw) or not low <= int(raw) <= high:
            raise ValidationError({name: [f"a whole number from {low} to {high}"]})
        return int(raw)


def _entry(change: Change, kind: str, document: dict | None) -> dict:
    return {
        "kind": kind,
        "document_id": change.document_id,
        "changed_at": change.changed_at,
        "document": document,
    }


def _first_listed(user, document_ids: set[int]) -> dict[int, int]:
    """For documents hidden from ``user`` now: the first position at which the change log's
    snapshot shows ``user`` could list them (a mirror may hold them since). One query."""
    if not document_ids:
        return {}
    listed, _readable = visibility_rules(user, document="document_id")
    seen = (
        Change.objects.filter(listed, document_id__in=document_ids, position__isnull=False)
        .values("document_id")
        .annotate(first=Min("position"))
    )
    return {row["document_id"]: row["first"] for row in seen}
