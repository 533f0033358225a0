"""Procedures, meetings and the reference data: bodies, subject codes, delegations."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from api.pagination import MeetingCursorPagination, NameCursorPagination
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
    Body,
    Delegation,
    Document,
    Meeting,
    Procedure,
    ProcedureEvent,
    SubjectCode,
)
from documents.references import InvalidReference, parse_procedure_reference


class VisibleLinksMixin:
    """Serializers name a linked document only if the caller may read it in full (that a
    LIMITE document is on an agenda or a timeline is not public, as the filters say too):
    the references of those among the documents a page links to, in one query."""

    linked_document_fields: tuple[str, ...] = ()

    def linked_document_ids(self, objects) -> set[int]:
        return {getattr(obj, field) for obj in objects for field in self.linked_document_fields} - {
            None
        }

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else kwargs.get("instance")
        objects = [] if instance is None else list(instance) if kwargs.get("many") else [instance]
        ids = self.linked_document_ids(objects)
        visible = Document.objects.readable_by(self.request.user).filter(pk__in=ids)
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["visible_documents"] = dict(visible.values_list("pk", "reference"))
        return self.get_serializer_class()(*args, **kwargs)


class ProcedureViewSet(VisibleLinksMixin, RegisterViewSet):
    """Interinstitutional files with their timeline; their documents are at ``documents_url``."""

    serializer_class = ProcedureSerializer
    pagination_class = NameCursorPagination
    lookup_field = "slug"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    def get_queryset(self):
        return Procedure.objects.select_related("lead_body").prefetch_related(
            Prefetch("events", queryset=ProcedureEvent.objects.order_by("date", "order"))
        )

    def linked_document_ids(self, procedures) -> set[int]:
        return {e.document_id for p in procedures for e in p.events.all()} - {None}

    def get_object(self):
        value = self.kwargs["slug"]
        try:
            slug = parse_procedure_reference(value).slug
        except InvalidReference:
            slug = value
        return get_object_or_404(self.get_queryset(), slug=slug)


class MeetingViewSet(VisibleLinksMixin, RegisterViewSet):
    """Meetings of Council bodies with their ordered agendas (documents as the caller sees)."""

    serializer_class = MeetingSerializer
    pagination_class = MeetingCursorPagination
    linked_document_fields = ("notice_id", "outcome_document_id")

    def get_queryset(self):
        readable = Document.objects.readable_by(self.request.user).only("id", "reference")
        return Meeting.objects.select_related("body").prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("order").prefetch_related(
                    "procedures", Prefetch("documents", queryset=readable)
                ),
            )
        )


class BodyViewSet(RegisterViewSet):
    serializer_class = BodySerializer
    pagination_class = NameCursorPagination
    queryset = Body.objects.all()


class SubjectCodeViewSet(RegisterViewSet):
    serializer_class = SubjectCodeSerializer
    pagination_class = NameCursorPagination
    queryset = SubjectCode.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[^/\x00-\x1f]+"


class DelegationViewSet(RegisterViewSet):
    serializer_class = DelegationSerializer
    pagination_class = NameCursorPagination
    queryset = Delegation.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[^/\x00-\x1f]+"
