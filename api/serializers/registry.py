"""Procedures, meetings, bodies, subject codes and delegations."""

from rest_framework import serializers

from documents.models import Body, Delegation, Meeting, Procedure, SubjectCode


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ("id", "name", "abbreviation", "kind", "parent")
        read_only_fields = fields


class SubjectCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubjectCode
        fields = ("code", "description")
        read_only_fields = fields


class DelegationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delegation
        fields = ("code", "name", "kind")
        read_only_fields = fields


def _visible_reference(document_id, visible: dict[int, str]) -> str | None:
    """The reference of a linked document the caller may see; None otherwise."""
    return visible.get(document_id) if document_id is not None else None


class EventSerializer(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField()
    stage = serializers.CharField()
    document = serializers.SerializerMethodField()

    def get_document(self, event) -> str | None:
        return _visible_reference(event.document_id, self.context["visible_documents"])


class ProcedureSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:procedure-detail", lookup_field="slug"
    )
    lead_body = BodySerializer(read_only=True)
    events = EventSerializer(many=True, read_only=True)
    documents_url = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = (
            "url", "reference", "slug", "year", "number", "type", "title", "commission_proposal",
            "commission_proposal_date", "lead_body", "stage", "adopted_act", "events",
            "documents_url", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_documents_url(self, procedure: Procedure) -> str:
        from django.urls import reverse

        path = reverse("api:document-list")
        return self.context["request"].build_absolute_uri(f"{path}?procedure={procedure.slug}")


class AgendaItemSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    title = serializers.CharField()
    procedures = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    def get_procedures(self, item) -> list[str]:
        return [procedure.reference for procedure in item.procedures.all()]

    def get_documents(self, item) -> list[str]:
        # Prefetched through the visibility rule: only documents the caller may see.
        return [document.reference for document in item.documents.all()]


class MeetingSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:meeting-detail")
    body = BodySerializer(read_only=True)
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    notice = serializers.SerializerMethodField()
    outcome_document = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "url", "id", "body", "title", "starts_at", "ends_at", "place", "videoconference",
            "status", "notice", "outcome", "outcome_document", "agenda", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_notice(self, meeting: Meeting) -> str | None:
        return _visible_reference(meeting.notice_id, self.context["visible_documents"])

    def get_outcome_document(self, meeting: Meeting) -> str | None:
        return _visible_reference(meeting.outcome_document_id, self.context["visible_documents"])
