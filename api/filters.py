"""Filters of the document list. Each value is checked; a bad one is a 400 naming it.

Filters on what the public may not read of a LIMITE document (its procedures, bodies, subject
codes, meetings) match only documents the caller may read in full: a filter never answers a
question the caller could not ask by reading.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from documents.models import (
    AgendaItemDocument,
    Body,
    Distribution,
    Document,
    DocumentBody,
    DocumentProcedure,
    DocumentSubjectCode,
    DocumentType,
    Meeting,
    Procedure,
    Series,
    SubjectCode,
)
from documents.references import (
    MAX_YEAR,
    MIN_YEAR,
    InvalidReference,
    parse_document_reference,
    parse_procedure_reference,
)
from documents.search import documents_search
from documents.services import parse_subject_code_label


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.ModelChoiceFilter):
    """A record by its id (bodies and meetings have no other stable key)."""


def _readable(queryset, request):
    """Restrict a filter on non-public fields to what the caller may read in full."""
    return queryset.filter(pk__in=Document.objects.readable_by(request.user))


class DocumentFilter(django_filters.FilterSet):
    reference = django_filters.CharFilter(method="filter_reference", max_length=80)
    procedure = django_filters.CharFilter(method="filter_procedure", max_length=40)
    series = django_filters.ChoiceFilter(choices=Series.choices)
    year = django_filters.NumberFilter(method="filter_year")
    document_type = django_filters.ChoiceFilter(choices=DocumentType.choices)
    distribution = django_filters.ChoiceFilter(choices=Distribution.choices)
    subject_code = django_filters.CharFilter(method="filter_subject_code", max_length=30)
    body = IdFilter(queryset=Body.objects.all(), method="filter_body")
    meeting = IdFilter(queryset=Meeting.objects.all(), method="filter_meeting")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    updated_since = django_filters.IsoDateTimeFilter(method="filter_updated_since")
    q = django_filters.CharFilter(method="filter_q", max_length=200)

    class Meta:
        model = Document
        fields = ()

    def filter_reference(self, queryset, name, value):
        try:
            reference = parse_document_reference(value)
        except InvalidReference as error:
            raise ValidationError({"reference": [str(error)]}) from error
        return queryset.filter(reference=reference.canonical)

    def filter_procedure(self, queryset, name, value):
        try:
            procedure = parse_procedure_reference(value)
        except InvalidReference as error:
            raise ValidationError({"procedure": [str(error)]}) from error
        if not Procedure.objects.filter(reference=procedure.canonical).exists():
            raise ValidationError(
                {"procedure": [f"procedure {procedure.canonical} is not registered"]}
            )
        linked = DocumentProcedure.objects.filter(procedure__reference=procedure.canonical)
        return _readable(queryset.filter(pk__in=linked.values("document")), self.request)

    def filter_year(self, queryset, name, value):
        if value != int(value) or not MIN_YEAR <= value <= MAX_YEAR:
            raise ValidationError({"year": [f"a year from {MIN_YEAR} to {MAX_YEAR}"]})
        return queryset.filter(year=int(value))

    def filter_subject_code(self, queryset, name, value):
        try:
            label = parse_subject_code_label(value)
        except DjangoValidationError as error:
            raise ValidationError({"subject_code": error.messages}) from error
        if not SubjectCode.objects.filter(code=label.code).exists():
            raise ValidationError({"subject_code": [f"unknown subject code {label.code}"]})
        links = DocumentSubjectCode.objects.filter(subject_code__code=label.code)
        if label.number is not None:
            links = links.filter(allocation__number=label.number)
        return _readable(queryset.filter(pk__in=links.values("document")), self.request)

    def filter_body(self, queryset, name, value):
        linked = DocumentBody.objects.filter(body=value).values("document")
        return _readable(queryset.filter(pk__in=linked), self.request)

    def filter_meeting(self, queryset, name, value):
        listed = AgendaItemDocument.objects.filter(agenda_item__meeting=value).values("document")
        return _readable(queryset.filter(pk__in=listed), self.request)

    def filter_updated_since(self, queryset, name, value):
        # When a LIMITE document last changed is not public: match what the caller may read.
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationError({"updated_since": [f"a time from {MIN_YEAR} to {MAX_YEAR}"]})
        return _readable(queryset.filter(updated_at__gte=value), self.request)

    def filter_q(self, queryset, name, value):
        if not value.strip():
            raise ValidationError({"q": ["give at least one word to search for"]})
        return documents_search(queryset, value)


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` as DRF reads it, except that an unknown field is a 400, not ignored, and
    that ``date`` sorts by the unique ``date_key`` (date, then id), so cursors never tie."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        return [term.replace("date", "date_key") if term.lstrip("-") == "date" else term
                for term in valid]  # fmt: skip

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = {
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            }
            wrong = [term for term in raw.split(",") if term.strip().lstrip("-") not in allowed]
            if wrong:
                choices = ", ".join(sorted(allowed))
                raise ValidationError(
                    {"ordering": [f"cannot order by {', '.join(wrong)}; choose {choices}"]}
                )
        return super().get_ordering(request, queryset, view)
