"""Procedures, meetings and the reference data: bodies, subject codes, delegations."""

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
    Body,
    Delegation,
    Meeting,
    Procedure,
    RecordKind,
    SubjectCode,
)
from documents.references import InvalidReference, parse_procedure_reference
from documents.selectors.records import (
    meeting_agendas,
    procedure_timelines,
    readable_references,
)


def procedures_queryset():
    return Procedure.objects.select_related("lead_body")


def meetings_queryset():
    return Meeting.objects.select_related("body")


def records_context(user, *, meetings=(), procedures=()) -> dict:
    """What a page of meetings or procedures names, read once for the page: their agendas and
    timelines, and the references of the documents they name that ``user`` may read in full
    (that a LIMITE document is on an agenda or a timeline is not public, as the filters say)."""
    agendas = meeting_agendas(m.pk for m in meetings) if meetings else {}
    timelines = procedure_timelines(p.pk for p in procedures) if procedures else {}
    named = {m.notice_id for m in meetings} | {m.outcome_document_id for m in meetings}
    for agenda in agendas.values():
        for item in agenda:
            named.update(item.documents)
    for events in timelines.values():
        named.update(document_id for *_event, document_id in events)
    return {
        "agendas": agendas,
        "timelines": timelines,
        "readable_documents": readable_references(user, named),
    }


class RecordLinksMixin:
    """Serializers of meetings and procedures read ``records_context`` for the whole page."""

    record_kind = ""

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else kwargs.get("instance")
        objects = [] if instance is None else list(instance) if kwargs.get("many") else [instance]
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"].update(records_context(self.request.user, **{self.record_kind: objects}))
        return self.get_serializer_class()(*args, **kwargs)


class ProcedureViewSet(RecordLinksMixin, RegisterViewSet):
    """Interinstitutional files with their timeline; their documents are at ``documents_url``."""

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilter
    pagination_class = ProcedurePagination
    record = RecordKind.PROCEDURE
    lookup_field = "slug"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    record_kind = "procedures"

    def get_queryset(self):
        return procedures_queryset()

    def get_object(self):
        value = self.kwargs["slug"]
        try:
            slug = parse_procedure_reference(value).slug
        except InvalidReference:
            slug = value
        return get_object_or_404(self.get_queryset(), slug=slug)


class MeetingViewSet(RecordLinksMixin, RegisterViewSet):
    """Meetings of Council bodies with their ordered agendas (documents as the caller sees)."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = MeetingPagination
    record = RecordKind.MEETING
    lookup_field = "key"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    record_kind = "meetings"

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
