"""Documents: list, detail, and file downloads, through the one visibility rule."""

import base64
import re

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from api.filters import DocumentFilter
from api.pagination import DocumentPagination
from api.serializers import DOCUMENT_OR_LISTING, DocumentSerializer
from api.views.base import RegisterViewSet
from documents.models import Document, RecordKind
from documents.references import InvalidReference, parse_document_reference
from documents.selectors import document_links, documents_for, last_seen_change
from documents.services.audit import download_record, reads_record


@extend_schema_view(
    list=extend_schema(responses=DOCUMENT_OR_LISTING),
    retrieve=extend_schema(responses=DOCUMENT_OR_LISTING),
)
class DocumentViewSet(RegisterViewSet):
    """Council documents the caller may see. LIMITE documents the public may only list show
    their reference, date, type and subject; any other document is not found (404)."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    pagination_class = DocumentPagination
    lookup_field = "slug"
    lookup_value_regex = r"[^/\x00-\x1f]+"

    def get_queryset(self):
        return documents_for(self.request.user)

    def get_serializer(self, *args, **kwargs):
        """With what the documents shown name (``document_links``), read once for the page."""
        instance = args[0] if args else kwargs.get("instance")
        documents = [] if instance is None else instance if kwargs.get("many") else [instance]
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["document_links"] = document_links(self.request.user, list(documents))
        return self.get_serializer_class()(*args, **kwargs)

    def get_object(self):
        """The slug, or any other spelling of the reference (``5397-24``, ``ST 5397/24``)."""
        document = get_object_or_404(self.get_queryset(), slug=slug_of(self.kwargs["slug"]))
        reads_record(
            user=self.request.user, documents=[document], via="api-detail",
            address=client_address(self.request),
        )  # fmt: skip
        return document

    def last_modified(self, document):
        """The last change of the document this caller sees: its own fields, its files, its
        agendas, its links as they show to this caller. Not said of a document the caller may
        only list (when a LIMITE document changes is not public)."""
        if not document.full_access:
            return None
        change = last_seen_change(
            self.request.user, record=RecordKind.DOCUMENT, record_id=document.pk
        )
        return change.changed_at if change else None

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        reads_record(
            user=self.request.user, documents=page or [], via="api-list",
            address=client_address(self.request),
        )  # fmt: skip
        return page


def slug_of(value: str) -> str:
    """The slug of any spelling of a reference; ``value`` itself when it is none."""
    # A URL cannot hold the slash of a cover reference: 5397-24 stands for 5397/24.
    for spelling in (value, re.sub(r"(?<=\d)-(?=\d)", "/", value)):
        try:
            return parse_document_reference(spelling).slug
        except InvalidReference:
            continue
    return value


def client_address(request) -> str | None:
    """The client's address, as the proxies in front of the app saw it (``NUM_PROXIES``)."""
    return BaseThrottle().get_ident(request) or None


class DocumentFileView(APIView):
    """The text of a document in one language, for callers who may read the document."""

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="The stored file; its SHA-256 is in the `Repr-Digest` and `Digest` headers "
        "(RFC 9530 form, `sha-256=:<base64>:`) and, in hex, in the document's `files`.",
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
        digest = f"sha-256=:{base64.b64encode(bytes.fromhex(stored.sha256)).decode()}:"
        response["Repr-Digest"] = digest
        response["Digest"] = digest
        download_record(
            user=request.user, document=document, language=language,
            address=client_address(request),
        )  # fmt: skip
        return response
