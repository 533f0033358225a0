"""Documents as the API shows them: in full, or as the public register lists LIMITE ones.

Querysets come from ``documents.selectors.documents_for(user)``, which annotates what the
representation needs (``full_access``, ``public``, the parent's visibility, the citations'
visibility): nothing here decides who may see what.
"""

from functools import cached_property

from django.urls import reverse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.serializers.links import (
    DocumentLinkSerializer,
    MeetingLinkSerializer,
    ProcedureLinkSerializer,
    document_link,
    meeting_link,
    procedure_link,
)
from documents.models import Document, ReleaseReason


class DocumentListingSerializer(serializers.ModelSerializer):
    """What the public register shows of a LIMITE document: reference, date, type, subject."""

    reference = serializers.CharField(read_only=True)
    cover_reference = serializers.CharField(read_only=True)
    suffix = serializers.SerializerMethodField()
    public = serializers.BooleanField(
        read_only=True, help_text="whether anybody may read the document in full"
    )
    url = serializers.HyperlinkedIdentityField(view_name="api:document-detail", lookup_field="slug")

    class Meta:
        model = Document
        fields = (
            "url", "reference", "cover_reference", "slug", "series", "number", "year", "suffix",
            "date", "document_type", "subject", "distribution", "public",
        )  # fmt: skip
        read_only_fields = fields

    def get_suffix(self, document: Document) -> str:
        return document.suffix or "INIT"


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
        """In full, or (``full_access`` False) only what the public register lists."""
        if not document.full_access:
            return self._listing.to_representation(document)
        return super().to_representation(document)

    @cached_property
    def _listing(self) -> DocumentListingSerializer:
        """One listing serializer for all the listed-only documents of a page: DRF builds a
        serializer's fields anew for each instance, which cost more than the rest of a list."""
        return DocumentListingSerializer(context=self.context)

    def get_classification(self, document: Document) -> str | None:
        return None if not document.classification else document.get_classification_display()

    @extend_schema_field(ProcedureLinkSerializer(many=True))
    def get_procedures(self, document: Document) -> list[dict]:
        request = self.context["request"]
        return [procedure_link(request, p) for p in document.procedures.all()]

    def get_subject_codes(self, document: Document) -> list[str]:
        return [str(link) for link in document.subject_code_links.all()]

    @extend_schema_field(DocumentLinkSerializer(many=True))
    def get_cites(self, document: Document) -> list[dict]:
        """Every reference the document cites, as written; the link only to documents the
        caller may see (registered later or hidden: the same entry, without a URL)."""
        request = self.context["request"]
        return [
            document_link(request, citation.reference, shown=citation.visible_cited is not None)
            for citation in document.citations.all()
        ]

    @extend_schema_field(MeetingLinkSerializer(many=True))
    def get_meetings(self, document: Document) -> list[dict]:
        request = self.context["request"]
        meetings = {item.meeting.key: item.meeting for item in document.agenda_items.all()}
        return [meeting_link(request, meetings[key]) for key in sorted(meetings)]

    @extend_schema_field(DocumentLinkSerializer(allow_null=True))
    def get_parent(self, document: Document) -> dict | None:
        """The document this version revises, adds to or corrects, if the caller may see it."""
        if document.visible_parent is None:
            return None
        return document_link(self.context["request"], document.visible_parent.reference)


# What a document is in a response: in full, or as the public register lists it.
DOCUMENT_OR_LISTING = PolymorphicProxySerializer(
    component_name="DocumentOrListing",
    serializers=[DocumentSerializer, DocumentListingSerializer],
    resource_type_field_name=None,
)
