"""Documents as the API shows them: in full, or as the public register lists LIMITE ones."""

from django.urls import reverse
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from documents.models import Document, ReleaseReason


class DocumentListingSerializer(serializers.ModelSerializer):
    """What the public register shows of a LIMITE document: reference, date, type, subject."""

    reference = serializers.CharField(read_only=True)
    cover_reference = serializers.CharField(read_only=True)
    suffix = serializers.SerializerMethodField()
    public = serializers.BooleanField(source="is_public", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:document-detail", lookup_field="slug")

    class Meta:
        model = Document
        fields = (
            "url", "id", "reference", "cover_reference", "slug", "series", "number", "year",
            "suffix", "date", "document_type", "subject", "distribution", "public",
        )  # fmt: skip
        read_only_fields = fields

    def get_suffix(self, document: Document) -> str:
        return document.suffix or "INIT"


class FileSerializer(serializers.Serializer):
    language = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
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
            return DocumentListingSerializer(context=self.context).to_representation(document)
        return super().to_representation(document)

    def get_classification(self, document: Document) -> str | None:
        return None if not document.classification else document.get_classification_display()

    def get_procedures(self, document: Document) -> list[str]:
        return [procedure.reference for procedure in document.procedures.all()]

    def get_subject_codes(self, document: Document) -> list[str]:
        return [str(link) for link in document.subject_code_links.all()]

    def get_cites(self, document: Document) -> list[str]:
        # Prefetched with the citations of documents hidden from the caller left out.
        return [citation.reference for citation in document.visible_citations]

    def get_meetings(self, document: Document) -> list[int]:
        return sorted({item.meeting_id for item in document.agenda_items.all()})

    def get_parent(self, document: Document) -> str | None:
        # Only named when the caller may see it (prefetched as ``visible_parent``).
        return document.visible_parent.reference if document.visible_parent else None


# What a document is in a response: in full, or as the public register lists it.
DOCUMENT_OR_LISTING = PolymorphicProxySerializer(
    component_name="DocumentOrListing",
    serializers=[DocumentSerializer, DocumentListingSerializer],
    resource_type_field_name=None,
)
