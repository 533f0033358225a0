"""The changes feed mirrors replay: every record kind, in order, as the caller may see it."""

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import page_size_of, token_decode, token_encode
from api.serializers import (
    BodySerializer,
    DelegationSerializer,
    MeetingSerializer,
    ProcedureSerializer,
    SubjectCodeSerializer,
)
from api.serializers.documents import _time, document_data
from api.serializers.links import api_url
from api.serializers.registry import code_slug
from api.views.base import parameters_check
from api.views.documents import client_address
from api.views.registry import meetings_queryset, procedures_queryset, records_context
from documents.models import Body, Delegation, RecordKind, SubjectCode
from documents.selectors import changes_seen_by, document_links, documents_for
from documents.services.audit import reads_record
from documents.services.changes import changes_pending, changes_sequence
from tracker.db_router import primary

PURPOSE = "changes-feed-cursor"


class ChangeSerializer(serializers.Serializer):
    record = serializers.ChoiceField(choices=RecordKind.values)
    key = serializers.CharField(help_text="the record's stable public key")
    action = serializers.ChoiceField(choices=["upsert", "tombstone"])
    changed_at = serializers.DateTimeField(
        allow_null=True, help_text="null where when it changed is not yours to know"
    )
    url = serializers.URLField(allow_null=True)
    data = serializers.JSONField(
        allow_null=True, help_text="the record as the resource shows it to you; null: tombstone"
    )


class ChangesPageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="null: caught up; poll `cursor`")
    cursor = serializers.CharField(help_text="opaque: pass it as `cursor` to read on later")


def _documents(request, ids):
    found = documents_for(request.user).in_bulk(ids)
    links = document_links(request.user, found.values())
    return found, lambda document: document_data(document, links.get(document.pk), request)


def _with_links(queryset, kind: str, serializer):
    """Public records that name documents (as their own resource shows them)."""

    def fetch(request, ids):
        found = queryset().in_bulk(ids)
        context = {"request": request, **records_context(request.user, **{kind: found.values()})}
        return found, lambda obj: serializer(obj, context=context).data

    return fetch


def _plain(model, serializer, related=()):
    def fetch(request, ids):
        found = model.objects.select_related(*related).in_bulk(ids)
        return found, lambda obj: serializer(obj, context={"request": request}).data

    return fetch


FETCH = {
    RecordKind.DOCUMENT: _documents,
    RecordKind.MEETING: _with_links(meetings_queryset, "meetings", MeetingSerializer),
    RecordKind.PROCEDURE: _with_links(procedures_queryset, "procedures", ProcedureSerializer),
    RecordKind.BODY: _plain(Body, BodySerializer, ["parent"]),
    RecordKind.SUBJECT_CODE: _plain(SubjectCode, SubjectCodeSerializer),
    RecordKind.DELEGATION: _plain(Delegation, DelegationSerializer),
}
DETAIL = {  # the detail URL of each record kind, by its key
    RecordKind.DOCUMENT: ("document-detail", "slug"),
    RecordKind.MEETING: ("meeting-detail", "key"),
    RecordKind.PROCEDURE: ("procedure-detail", "slug"),
    RecordKind.BODY: ("body-detail", "slug"),
    RecordKind.SUBJECT_CODE: ("subjectcode-detail", "code"),
    RecordKind.DELEGATION: ("delegation-detail", "code"),
}


@method_decorator(primary(), name="dispatch")  # positions and documents from one database
class ChangesView(APIView):
    """Every change to the register after ``cursor``, oldest first: documents, procedures,
    meetings, bodies, subject codes and delegations.

    Each record appears once, at its latest change you may see, with the record as you may see
    it now (``upsert``), or only its key when it was deleted or you may no longer see it
    (``tombstone``, sent once, when that happens: drop it from your mirror). Changes you may
    not see are not shown at all and do not shorten a page: a page is full unless you are
    caught up. Replaying from the start (no ``cursor``) and then from each page's ``cursor``
    rebuilds exactly what the lists show you. Positions are handed out after commit, so a
    change committed late still comes after the ones already read, never before.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="the last page's cursor"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 500 (100)"),
        ],
        responses=ChangesPageSerializer,
    )
    def get(self, request):
        parameters_check(request, {"cursor", "page_size", "format"})
        raw = request.query_params.get("cursor")
        after = _position(token_decode(PURPOSE, raw)) if raw is not None else 0
        size = page_size_of(request, default=100)
        if changes_pending():
            changes_sequence()
        changes = changes_seen_by(request.user, after=after, limit=size)
        results, shown = self._entries(request, changes)
        reads_record(user=request.user, documents=shown, via="feed",
                     address=client_address(request))  # fmt: skip
        cursor = changes[-1].position if changes else after
        token = token_encode(PURPOSE, {"p": cursor})
        next_url = None
        if len(changes) == size:
            next_url = api_url(request, "changes") + f"?cursor={token}&page_size={size}"
        return Response({"results": results, "next": next_url, "cursor": token})

    @staticmethod
    def _entries(request, changes):
        wanted: dict[str, set[int]] = {}
        for change in changes:
            if change.level_now:
                wanted.setdefault(change.record, set()).add(change.record_id)
        fetched = {record: FETCH[record](request, ids) for record, ids in sorted(wanted.items())}
        results, shown = [], []
        for change in changes:
            entry = {"record": change.record, "key": change.key, "action": "tombstone",
                     "changed_at": None, "url": None, "data": None}  # fmt: skip
            if change.level_now:
                found, represent = fetched[change.record]
                record = found.get(change.record_id)
                if record is None:  # hidden or gone meanwhile: its own change comes later
                    continue
                full = getattr(record, "full_access", True)
                name, lookup = DETAIL[change.record]
                key = code_slug(record) if change.record == RecordKind.SUBJECT_CODE else change.key
                entry.update(
                    action="upsert", data=represent(record),
                    changed_at=change.changed_at if full else None,
                    url=api_url(request, name, **{lookup: key}),
                )  # fmt: skip
                if change.record == RecordKind.DOCUMENT:
                    shown.append(record)
            entry["changed_at"] = _time(entry["changed_at"])
            results.append(entry)  # the shape ChangeSerializer describes, built directly
        return results, shown


def _position(cursor) -> int:
    from rest_framework.exceptions import ValidationError

    position = cursor.get("p") if isinstance(cursor, dict) else None
    if not isinstance(position, int) or position < 0:
        raise ValidationError({"cursor": ["invalid cursor"]})
    return position
