"""Procedures, meetings and the reference data: bodies, subject codes, delegations."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from api.filters import MeetingFilter, ProcedureFilter
from api.pagination import (
    BodyPagination,
    CodePagination,
    MeetingPagination,
    ProcedurePagination,
)
from api.serializers import (
    BodySerializer,
    DelegationSerializer,
    MeetingSerializer,
    ProcedureSerializer,
    SubjectCodeSerializer,
)
from api.views.base import RegisterViewSet
from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    Body,
    Delegation,
    Document,
    Meeting,
    Procedure,
    ProcedureEvent,
    RecordKind,
    SubjectCode,
)
from documents.references import InvalidReference, parse_procedure_reference


def readable_references(user, document_ids) -> dict[int, str]:
    """The references of those of ``document_ids`` that ``user`` may read in full (one
    query, probed by id)."""
    ids = set(document_ids) - {None}
    if not ids:
        return {}
    readable = Document.objects.readable_by(user).filter(pk__in=ids)
    return dict(readable.values_list("pk", "reference"))


def procedures_queryset():
    return Procedure.objects.select_related("lead_body").prefetch_related(
        Prefetch("events", queryset=ProcedureEvent.objects.order_by("date", "order"))
    )


def procedure_document_ids(procedures) -> set[int]:
    return {event.document_id for p in procedures for event in p.events.all()}


def meetings_queryset():
    return Meeting.objects.select_related("body").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.order_by("order").prefetch_related(
                "procedures",
                Prefetch(
                    "agendaitemdocument_set",
                    queryset=AgendaItemDocument.objects.only("agenda_item_id", "document_id"),
                ),
            ),
        )
    )


def meeting_document_ids(meetings) -> set[int]:
    ids = {m.notice_id for m in meetings} | {m.outcome_document_id for m in meetings}
    for meeting in meetings:
        for item in meeting.agenda_items.all():
            ids |= {link.document_id for link in item.agendaitemdocument_set.all()}
    return ids


class ReadableLinksMixin:
    """Public records name a document only if the caller may read it in full (that a LIMITE
    document is on an agenda or a timeline is not public, as the filters say too):
    ``linked_document_ids`` says which documents a page links to."""

    linked_document_ids = staticmethod(lambda objects: set())

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else kwargs.get("instance")
        objects = [] if instance is None else list(instance) if kwargs.get("many") else [instance]
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["readable_documents"] = readable_references(
            self.request.user, type(self).linked_document_ids(objects)
        )
        return self.get_serializer_class()(*args, **kwargs)


class ProcedureViewSet(ReadableLinksMixin, RegisterViewSet):
    """Interinstitutional files with their timeline; their documents are at ``documents_url``."""

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilter
    pagination_class = ProcedurePagination
    record = RecordKind.PROCEDURE
    lookup_field = "slug"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    linked_document_ids = staticmethod(procedure_document_ids)

    def get_queryset(self):
        return procedures_queryset()

    def get_object(self):
        value = self.kwargs["slug"]
        try:
            slug = parse_procedure_reference(value).slug
        except InvalidReference:
            slug = value
        return get_object_or_404(self.get_queryset(), slug=slug)


class MeetingViewSet(ReadableLinksMixin, RegisterViewSet):
    """Meetings of Council bodies with their ordered agendas (documents as the caller sees)."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = MeetingPagination
    record = RecordKind.MEETING
    lookup_field = "key"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    linked_document_ids = staticmethod(meeting_document_ids)

    def get_queryset(self):
        return meetings_queryset()


class BodyViewSet(RegisterViewSet):
    serializer_class = BodySerializer
    pagination_class = BodyPagination
    record = RecordKind.BODY
    queryset = Body.objects.select_related("parent")
    lookup_field = "slug"
    lookup_value_regex = r"[^/\x00-\x1f]+"


class SubjectCodeViewSet(RegisterViewSet):
    """Subject codes; a code with a slash or a space is addressed with a dash (``cfsp-pesc``)."""

    serializer_class = SubjectCodeSerializer
    pagination_class = CodePagination
    record = RecordKind.SUBJECT_CODE
    queryset = SubjectCode.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    def get_object(self):
        value = self.kwargs["code"].upper()
        spellings = {value, value.replace("-", "/"), value.replace("-", " ")}
        found = list(SubjectCode.objects.filter(code__in=spellings)[:2])
        if len(found) != 1:
            raise Http404("no such subject code")
        return found[0]


class DelegationViewSet(RegisterViewSet):
    serializer_class = DelegationSerializer
    pagination_class = CodePagination
    record = RecordKind.DELEGATION
    queryset = Delegation.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[^/\x00-\x1f]+"
