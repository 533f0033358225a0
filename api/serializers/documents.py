"""Documents as the API shows them: in full, or as the public register lists LIMITE ones.

Querysets come from ``documents.selectors.documents_for(user)``, which annotates what the
representation needs (``full_access``, ``public``, the parent's visibility, the citations'
visibility): nothing here decides who may see what.
"""

import datetime

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.serializers.links import (
    DocumentLinkSerializer,
    MeetingLinkSerializer,
    ProcedureLinkSerializer,
    api_url,
    document_link,
    file_url,
)
from documents.models import Document, ReleaseReason
from documents.selectors.documents import DocumentLinks


class DocumentListingSerializer(serializers.ModelSerializer):
    """What the public register shows of a LIMITE document: reference, date, type, subject."""

    reference = serializers.CharField(read_only=True)
    cover_reference = serializers.CharField(read_only=True)
    suffix = serializers.SerializerMethodField()
    public = serializers.BooleanField(
        read_only=True, help_text="whether anybody may read the document in full"
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = (
            "url", "reference", "cover_reference", "slug", "series", "number", "year", "suffix",
            "date", "document_type", "subject", "distribution", "public",
        )  # fmt: skip
        read_only_fields = fields

    def get_suffix(self, document: Document) -> str:
        return document.suffix or "INIT"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, document: Document) -> str:
        return api_url(self.context["request"], "document-detail", slug=document.slug)


class FileSerializer(serializers.Serializer):
    language = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="hex digest of the stored file")
    media_type = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, stored) -> str:
        path = reverse(
            "api:document-file", kwargs={"slug": stored.document.slug, "language": stored.language}
        )
        return self.context["request"].build_absolute_uri(path)


class DocumentSerializer(DocumentListingSerializer):
    """Everything the caller may read of a document (never shown for partial access)."""

    release_reason = serializers.ChoiceField(
        choices=ReleaseReason.choices, allow_blank=True, read_only=True
    )
    classification = serializers.SerializerMethodField()
    procedures = serializers.SerializerMethodField()
    subject_codes = serializers.SerializerMethodField()
    cites = serializers.SerializerMethodField()
    meetings = serializers.SerializerMethodField()
    files = FileSerializer(many=True, read_only=True)
    parent = serializers.SerializerMethodField()

    class Meta(DocumentListingSerializer.Meta):
        fields = (
            *DocumentListingSerializer.Meta.fields,
            "place", "original_language", "originator", "recipients", "classification",
            "released_at", "release_reason", "comments_due", "parent", "procedures",
            "subject_codes", "cites", "meetings", "files", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def to_representation(self, document: Document) -> dict:
        """In full, or (``full_access`` False) only what the public register lists.

        Built directly (``document_data``), not field by field: DRF's generic path costs more
        than all the queries of a page. The fields declared above describe it in the schema
        (a test fuzzes every answer against it). ``context["document_links"]`` holds what
        the page's documents name (``documents.selectors.document_links``)."""
        return document_data(
            document, self.context["document_links"].get(document.pk), self.context["request"]
        )

    def _links(self, document: Document) -> DocumentLinks:
        return self.context["document_links"][document.pk]

    def get_classification(self, document: Document) -> str | None:
        return None if not document.classification else document.get_classification_display()

    @extend_schema_field(ProcedureLinkSerializer(many=True))
    def get_procedures(self, document: Document) -> list[dict]:
        return _procedures(self._links(document), self.context["request"])

    def get_subject_codes(self, document: Document) -> list[str]:
        return self._links(document).subject_codes

    @extend_schema_field(DocumentLinkSerializer(many=True))
    def get_cites(self, document: Document) -> list[dict]:
        return _cites(self._links(document), self.context["request"])

    @extend_schema_field(MeetingLinkSerializer(many=True))
    def get_meetings(self, document: Document) -> list[dict]:
        return _meetings(self._links(document), self.context["request"])

    @extend_schema_field(DocumentLinkSerializer(allow_null=True))
    def get_parent(self, document: Document) -> dict | None:
        return _parent(self._links(document), self.context["request"])


def _time(value) -> str | None:
    """A timestamp as the API writes them: UTC, ``Z``."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def _procedures(links: DocumentLinks, request) -> list[dict]:
    return [
        {"reference": reference, "url": api_url(request, "procedure-detail", slug=slug)}
        for reference, slug in links.procedures
    ]


def _cites(links: DocumentLinks, request) -> list[dict]:
    """Every reference the document cites, as written; the link only to documents the caller
    may see (registered later or hidden: the same entry, without a URL)."""
    return [document_link(request, reference, shown=shown) for reference, shown in links.cites]


def _meetings(links: DocumentLinks, request) -> list[dict]:
    return [
        {"key": key, "url": api_url(request, "meeting-detail", key=key)} for key in links.meetings
    ]


def _parent(links: DocumentLinks, request) -> dict | None:
    """The document this version revises, adds to or corrects, if the caller may see it."""
    return None if links.parent is None else document_link(request, links.parent)


def _file(document: Document, stored: tuple, request) -> dict:
    language, size, sha256, media_type = stored
    return {
        "language": language,
        "size": size,
        "sha256": sha256,
        "media_type": media_type,
        "download_url": file_url(request, document.slug, language),
    }


def document_data(document: Document, links: DocumentLinks | None, request) -> dict:
    """A document of ``documents_for(user)`` as ``user`` may see it: in full (with ``links``,
    from ``document_links``), or (its ``full_access`` False) only what the public register
    lists."""
    data = {
        "url": api_url(request, "document-detail", slug=document.slug),
        "reference": document.reference,
        "cover_reference": document.cover_reference,
        "slug": document.slug,
        "series": document.series,
        "number": document.number,
        "year": document.year,
        "suffix": document.suffix or "INIT",
        "date": _date(document.date),
        "document_type": document.document_type,
        "subject": document.subject,
        "distribution": document.distribution,
        "public": document.public,
    }
    if not document.full_access:
        return data
    data.update(
        place=document.place,
        original_language=document.original_language,
        originator=document.originator,
        recipients=document.recipients,
        classification=(document.get_classification_display() if document.classification else None),
        released_at=_time(document.released_at),
        release_reason=document.release_reason,
        comments_due=_date(document.comments_due),
        parent=_parent(links, request),
        procedures=_procedures(links, request),
        subject_codes=list(links.subject_codes),
        cites=_cites(links, request),
        meetings=_meetings(links, request),
        files=[_file(document, stored, request) for stored in links.files],
        created_at=_time(document.created_at),
        updated_at=_time(document.updated_at),
    )
    return data


# What a document is in a response: in full, or as the public register lists it.
DOCUMENT_OR_LISTING = PolymorphicProxySerializer(
    component_name="DocumentOrListing",
    serializers=[DocumentSerializer, DocumentListingSerializer],
    resource_type_field_name=None,
)
