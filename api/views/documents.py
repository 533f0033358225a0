"""Documents: list, detail, and file downloads, through the one visibility rule."""

import re

from django.db.models import CharField, Max, Prefetch, Q, Value
from django.db.models.functions import Cast, Concat, LPad
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from api.filters import DocumentFilter, StrictOrderingFilter
from api.pagination import DocumentCursorPagination
from api.serializers import DOCUMENT_OR_LISTING, DocumentSerializer
from api.views.base import RegisterViewSet
from documents.models import AgendaItem, Change, Citation, Document, DocumentSubjectCode
from documents.references import InvalidReference, parse_document_reference
from documents.services.audit import download_record, reads_record


def documents_for(user):
    """Visible documents with what their representation reads, in a fixed number of queries."""
    visible = Document.objects.visible_to(user)
    # date_key: a unique key that sorts by date. Cursors position on it alone, so any number of
    # documents of one date page exactly (DRF's offset within a tie stops at 1,000).
    date_key = Concat(
        Cast("date", CharField()), Value(" "), LPad(Cast("id", CharField()), 12, Value("0"))
    )
    return (
        Document.objects.with_access(user)
        .annotate(date_key=date_key)
        .prefetch_related(
            "procedures",
            "files",
            Prefetch(
                "subject_code_links",
                queryset=DocumentSubjectCode.objects.select_related("subject_code", "allocation"),
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.filter(Q(cited__isnull=True) | Q(cited__in=visible)),
                to_attr="visible_citations",
            ),
            Prefetch("agenda_items", queryset=AgendaItem.objects.only("id", "meeting_id")),
            Prefetch("parent", queryset=visible.only("id", "reference"), to_attr="visible_parent"),
        )
    )


@extend_schema_view(
    list=extend_schema(responses=DOCUMENT_OR_LISTING),
    retrieve=extend_schema(responses=DOCUMENT_OR_LISTING),
)
class DocumentViewSet(RegisterViewSet):
    """Council documents the caller may see. LIMITE documents the public may only list show
    their reference, date, type and subject; any other document is not found (404)."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    pagination_class = DocumentCursorPagination
    filter_backends = [*RegisterViewSet.filter_backends, StrictOrderingFilter]
    ordering_fields = ("date", "reference")
    lookup_field = "slug"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    def get_queryset(self):
        return documents_for(self.request.user)

    def get_object(self):
        """The slug, or any other spelling of the reference (``5397-24``, ``ST 5397/24``)."""
        value = self.kwargs["slug"]
        slug = value
        # A URL cannot hold the slash of a cover reference: 5397-24 stands for 5397/24.
        for spelling in (value, re.sub(r"(?<=\d)-(?=\d)", "/", value)):
            try:
                slug = parse_document_reference(spelling).slug
                break
            except InvalidReference:
                continue
        document = get_object_or_404(self.get_queryset(), slug=slug)
        reads_record(
            user=self.request.user, documents=[document], via="api-detail",
            address=client_address(self.request),
        )  # fmt: skip
        return document

    def last_modified(self, document):
        """The last change the log records for the document: its own row, but also its files,
        its agendas, and who may see the documents it names. Not said of a document the caller
        may only list (when a LIMITE document changes is not public)."""
        if not document.full_access:
            return None
        logged = Change.objects.filter(document_id=document.pk).aggregate(last=Max("changed_at"))
        return max(filter(None, [document.updated_at, logged["last"]]))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        reads_record(
            user=self.request.user, documents=page or [], via="api-list",
            address=client_address(self.request),
        )  # fmt: skip
        return page


def client_address(request) -> str | None:
    """The client's address, as the proxies in front of the app saw it (``NUM_PROXIES``)."""
    return BaseThrottle().get_ident(request) or None


class DocumentFileView(APIView):
    """The text of a document in one language, for callers who may read the document."""

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="The stored file; its SHA-256 is in the `Digest` header and the document.",
    )
    def get(self, request, slug: str, language: str):
        document = get_object_or_404(Document.objects.readable_by(request.user), slug=slug)
        stored = document.files.filter(language=language).first()
        if stored is None:
            raise Http404("no file in that language")
        response = FileResponse(
            stored.file.open("rb"), content_type=stored.media_type, as_attachment=True,
            filename=stored.file.name.rsplit("/", 1)[-1],
        )  # fmt: skip
        response["Digest"] = f"sha-256={stored.sha256}"
        download_record(
            user=request.user, document=document, language=language,
            address=client_address(request),
        )  # fmt: skip
        return response
