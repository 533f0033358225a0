"""Procedures, meetings, bodies, subject codes and delegations: public records, which name a
document only when the caller may read it in full (``context["readable_documents"]``: the
references of those among the documents a page links to, from the one rule)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.documents import _date, _time
from api.serializers.links import (
    BodyLinkSerializer,
    DocumentLinkSerializer,
    ProcedureLinkSerializer,
    api_url,
    body_link,
    document_link,
    procedure_link,
)
from documents.models import Body, Delegation, Meeting, Procedure, SubjectCode


def _document(serializer, document_id: int | None) -> dict | None:
    """A linked document the caller may read in full; None otherwise."""
    reference = serializer.context["readable_documents"].get(document_id)
    return None if reference is None else document_link(serializer.context["request"], reference)


class BodySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:body-detail", lookup_field="slug")
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Body
        fields = ("url", "slug", "name", "abbreviation", "kind", "parent")
        read_only_fields = fields

    @extend_schema_field(BodyLinkSerializer(allow_null=True))
    def get_parent(self, body: Body) -> dict | None:
        return body_link(self.context["request"], body.parent)

    def to_representation(self, body: Body) -> dict:
        request = self.context["request"]
        return {
            "url": api_url(request, "body-detail", slug=body.slug),
            "slug": body.slug,
            "name": body.name,
            "abbreviation": body.abbreviation,
            "kind": body.kind,
            "parent": body_link(request, body.parent),
        }


class SubjectCodeSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = SubjectCode
        fields = ("url", "code", "description")
        read_only_fields = fields

    def get_url(self, subject_code: SubjectCode) -> str:
        return api_url(self.context["request"], "subjectcode-detail", code=code_slug(subject_code))


def code_slug(subject_code: SubjectCode) -> str:
    """``CFSP/PESC`` -> ``cfsp-pesc``: a subject code as a URL path segment."""
    return subject_code.code.lower().replace("/", "-").replace(" ", "-")


class DelegationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:delegation-detail", lookup_field="code"
    )

    class Meta:
        model = Delegation
        fields = ("url", "code", "name", "kind")
        read_only_fields = fields


class EventSerializer(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField()
    stage = serializers.CharField()
    document = serializers.SerializerMethodField()

    @extend_schema_field(DocumentLinkSerializer(allow_null=True))
    def get_document(self, event) -> dict | None:
        return _document(self, event.document_id)


class ProcedureSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:procedure-detail", lookup_field="slug"
    )
    lead_body = serializers.SerializerMethodField()
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

    @extend_schema_field(BodyLinkSerializer(allow_null=True))
    def get_lead_body(self, procedure: Procedure) -> dict | None:
        return body_link(self.context["request"], procedure.lead_body)

    def get_documents_url(self, procedure: Procedure) -> str:
        return api_url(self.context["request"], "document-list") + f"?procedure={procedure.slug}"

    def to_representation(self, procedure: Procedure) -> dict:
        """Built directly (DRF's field by field path costs more than the page's queries); the
        fields above describe it in the schema."""
        request = self.context["request"]
        return {
            "url": api_url(request, "procedure-detail", slug=procedure.slug),
            "reference": procedure.reference,
            "slug": procedure.slug,
            "year": procedure.year,
            "number": procedure.number,
            "type": procedure.type,
            "title": procedure.title,
            "commission_proposal": procedure.commission_proposal,
            "commission_proposal_date": _date(procedure.commission_proposal_date),
            "lead_body": body_link(request, procedure.lead_body),
            "stage": procedure.stage,
            "adopted_act": procedure.adopted_act,
            "events": [
                {
                    "date": _date(date),
                    "title": title,
                    "stage": stage,
                    "document": _document(self, document_id),
                }
                for date, title, stage, document_id in self.context["timelines"].get(
                    procedure.pk, ()
                )
            ],
            "documents_url": self.get_documents_url(procedure),
            "created_at": _time(procedure.created_at),
            "updated_at": _time(procedure.updated_at),
        }


class AgendaItemSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    title = serializers.CharField()
    procedures = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    @extend_schema_field(ProcedureLinkSerializer(many=True))
    def get_procedures(self, item) -> list[dict]:
        return [procedure_link(self.context["request"], p) for p in item.procedures.all()]

    @extend_schema_field(DocumentLinkSerializer(many=True))
    def get_documents(self, item) -> list[dict]:
        # Only documents the caller may read in full: that a LIMITE document is on an agenda is
        # no more public than its other metadata.
        links = [_document(self, link.document_id) for link in item.agendaitemdocument_set.all()]
        return sorted((link for link in links if link), key=lambda link: link["reference"])


class MeetingSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:meeting-detail", lookup_field="key")
    body = serializers.SerializerMethodField()
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    notice = serializers.SerializerMethodField()
    outcome_document = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "url", "key", "body", "title", "starts_at", "ends_at", "place", "videoconference",
            "status", "notice", "outcome", "outcome_document", "agenda", "created_at",
            "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(BodyLinkSerializer)
    def get_body(self, meeting: Meeting) -> dict:
        return body_link(self.context["request"], meeting.body)

    @extend_schema_field(DocumentLinkSerializer(allow_null=True))
    def get_notice(self, meeting: Meeting) -> dict | None:
        return _document(self, meeting.notice_id)

    @extend_schema_field(DocumentLinkSerializer(allow_null=True))
    def get_outcome_document(self, meeting: Meeting) -> dict | None:
        return _document(self, meeting.outcome_document_id)

    def _agenda_documents(self, document_ids) -> list[dict]:
        links = [_document(self, pk) for pk in document_ids]
        return sorted((link for link in links if link), key=lambda link: link["reference"])

    def to_representation(self, meeting: Meeting) -> dict:
        """Built directly (DRF's field by field path costs more than the page's queries); the
        fields above describe it in the schema."""
        request = self.context["request"]
        return {
            "url": api_url(request, "meeting-detail", key=meeting.key),
            "key": meeting.key,
            "body": body_link(request, meeting.body),
            "title": meeting.title,
            "starts_at": _time(meeting.starts_at),
            "ends_at": _time(meeting.ends_at),
            "place": meeting.place,
            "videoconference": meeting.videoconference,
            "status": meeting.status,
            "notice": _document(self, meeting.notice_id),
            "outcome": meeting.outcome,
            "outcome_document": _document(self, meeting.outcome_document_id),
            "agenda": [
                {
                    "order": item.order,
                    "title": item.title,
                    "procedures": [
                        {
                            "reference": reference,
                            "url": api_url(request, "procedure-detail", slug=slug),
                        }
                        for reference, slug in item.procedures
                    ],
                    # Only documents the caller may read in full: that a LIMITE document is
                    # on an agenda is no more public than its other metadata.
                    "documents": self._agenda_documents(item.documents),
                }
                for item in self.context["agendas"].get(meeting.pk, ())
            ],
            "created_at": _time(meeting.created_at),
            "updated_at": _time(meeting.updated_at),
        }
