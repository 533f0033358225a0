"""Filters of the document list. Each value is checked; a bad one is a 400 naming it.

Filters on what the public may not read of a LIMITE document (its procedures, bodies, subject
codes, meetings) match only documents the caller may read in full: a filter never answers a
question the caller could not ask by reading.
"""

import datetime
from zoneinfo import ZoneInfo

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from rest_framework.exceptions import ValidationError

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
    MeetingStatus,
    Procedure,
    ProcedureEvent,
    ProcedureStage,
    ProcedureType,
    Series,
    SubjectCode,
)
from documents.querysets import visibility_rules
from documents.references import (
    MAX_YEAR,
    MIN_YEAR,
    InvalidReference,
    parse_document_reference,
    parse_procedure_reference,
)
from documents.search import documents_search
from documents.services import parse_subject_code_label

BRUSSELS = ZoneInfo("Europe/Brussels")


def _readable(queryset, request):
    """Restrict a filter on non-public fields to what the caller may read in full (the rule
    applied to the list's own rows, never as ``IN (SELECT ...)``)."""
    _listed, readable = visibility_rules(request.user)
    return queryset.filter(readable)


def _linked(queryset, links) -> object:
    """Documents of ``queryset`` that one of ``links`` (a link model's rows) points at."""
    return queryset.filter(Exists(links.filter(document=OuterRef("pk"))))


class DocumentFilter(django_filters.FilterSet):
    reference = django_filters.CharFilter(method="filter_reference", max_length=80)
    procedure = django_filters.CharFilter(method="filter_procedure", max_length=40)
    series = django_filters.ChoiceFilter(choices=Series.choices)
    year = django_filters.NumberFilter(method="filter_year")
    document_type = django_filters.ChoiceFilter(choices=DocumentType.choices)
    distribution = django_filters.ChoiceFilter(choices=Distribution.choices)
    subject_code = django_filters.CharFilter(method="filter_subject_code", max_length=30)
    body = django_filters.CharFilter(method="filter_body", max_length=80)
    meeting = django_filters.CharFilter(method="filter_meeting", max_length=100)
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
            canonical = parse_procedure_reference(value).canonical
        except InvalidReference as error:
            raise ValidationError({"procedure": [str(error)]}) from error
        procedure = Procedure.objects.filter(reference=canonical).first()
        if procedure is None:
            raise ValidationError({"procedure": [f"procedure {canonical} is not registered"]})
        links = DocumentProcedure.objects.filter(procedure=procedure)
        return _readable(_linked(queryset, links), self.request)

    def filter_year(self, queryset, name, value):
        if value != int(value) or not MIN_YEAR <= value <= MAX_YEAR:
            raise ValidationError({"year": [f"a year from {MIN_YEAR} to {MAX_YEAR}"]})
        return queryset.filter(year=int(value))

    def filter_subject_code(self, queryset, name, value):
        try:
            label = parse_subject_code_label(value)
        except DjangoValidationError as error:
            raise ValidationError({"subject_code": error.messages}) from error
        subject_code = SubjectCode.objects.filter(code=label.code).first()
        if subject_code is None:
            raise ValidationError({"subject_code": [f"unknown subject code {label.code}"]})
        links = DocumentSubjectCode.objects.filter(subject_code=subject_code)
        if label.number is not None:
            links = links.filter(allocation__number=label.number)
        if (year := self.form.cleaned_data.get("year")) is not None:
            # One range of the (code, year, document) index: this code's documents of that year.
            links = links.filter(year=int(year))
        return _readable(_linked(queryset, links), self.request)

    def filter_body(self, queryset, name, value):
        links = DocumentBody.objects.filter(body=_body(value))
        return _readable(_linked(queryset, links), self.request)

    def filter_meeting(self, queryset, name, value):
        meeting = Meeting.objects.filter(key=value).first()
        if meeting is None:
            raise ValidationError({"meeting": [f"no meeting {value!r}: use its key"]})
        links = AgendaItemDocument.objects.filter(agenda_item__meeting=meeting)
        return _readable(_linked(queryset, links), self.request)

    def filter_updated_since(self, queryset, name, value):
        # When a LIMITE document last changed is not public: match what the caller may read.
        return _readable(queryset.filter(updated_at__gte=_updated_since(value)), self.request)

    def filter_q(self, queryset, name, value):
        if not value.strip():
            raise ValidationError({"q": ["give at least one word to search for"]})
        return documents_search(queryset, value)


def _brussels_midnight(day) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=BRUSSELS)


def _body(value: str) -> Body:
    body = Body.objects.filter(slug=value).first()
    if body is None:
        raise ValidationError({"body": [f"no body {value!r}: use its slug, e.g. lewp-police"]})
    return body


def _updated_since(value):
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError({"updated_since": [f"a time from {MIN_YEAR} to {MAX_YEAR}"]})
    return value


class MeetingFilter(django_filters.FilterSet):
    """Meetings of a body, in a range of (Brussels) days, changed since a time."""

    body = django_filters.CharFilter(method="filter_body", max_length=80)
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    date_after = django_filters.DateFilter(method="filter_date_after")
    date_before = django_filters.DateFilter(method="filter_date_before")
    updated_since = django_filters.IsoDateTimeFilter(method="filter_updated_since")

    class Meta:
        model = Meeting
        fields = ()

    def filter_body(self, queryset, name, value):
        return queryset.filter(body=_body(value))

    def filter_date_after(self, queryset, name, value):
        return queryset.filter(starts_at__gte=_brussels_midnight(value))

    def filter_date_before(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_brussels_midnight(value + datetime.timedelta(days=1)))

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(updated_at__gte=_updated_since(value))


class ProcedureFilter(django_filters.FilterSet):
    """Procedures led by a body, at a stage, with timeline events in a range of days, changed
    since a time."""

    body = django_filters.CharFilter(method="filter_body", max_length=80)
    stage = django_filters.ChoiceFilter(choices=ProcedureStage.choices)
    type = django_filters.ChoiceFilter(choices=ProcedureType.choices)
    year = django_filters.NumberFilter(method="filter_year")
    date_after = django_filters.DateFilter(method="filter_date_after")
    date_before = django_filters.DateFilter(method="filter_date_before")
    updated_since = django_filters.IsoDateTimeFilter(method="filter_updated_since")

    class Meta:
        model = Procedure
        fields = ()

    def filter_body(self, queryset, name, value):
        return queryset.filter(lead_body=_body(value))

    def filter_year(self, queryset, name, value):
        if value != int(value) or not MIN_YEAR <= value <= MAX_YEAR:
            raise ValidationError({"year": [f"a year from {MIN_YEAR} to {MAX_YEAR}"]})
        return queryset.filter(year=int(value))

    def filter_date_after(self, queryset, name, value):
        events = ProcedureEvent.objects.filter(procedure=OuterRef("pk"), date__gte=value)
        return queryset.filter(Exists(events))

    def filter_date_before(self, queryset, name, value):
        events = ProcedureEvent.objects.filter(procedure=OuterRef("pk"), date__lte=value)
        return queryset.filter(Exists(events))

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(updated_at__gte=_updated_since(value))
