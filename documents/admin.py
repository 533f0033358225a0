"""The registry desk (Django admin).

Until the full registration desk lands, documents are browsed here and registered through the
services (``load_demo``, the API and management commands): the admin never writes a number.
"""

from django.contrib import admin

from documents.models import (
    Body,
    Delegation,
    Document,
    Meeting,
    Procedure,
    SubjectCode,
)
from documents.references import InvalidReference, parse_document_reference


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("reference", "date", "document_type", "distribution", "subject")
    list_filter = ("series", "year", "distribution", "classification", "document_type")
    search_fields = ("subject",)
    date_hierarchy = "date"
    readonly_fields = [field.name for field in Document._meta.concrete_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        """Any reference spelling (``5397/24``, ``wk 9107/2022``) finds the document."""
        try:
            reference = parse_document_reference(search_term)
        except InvalidReference:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(reference=reference.canonical), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("reference", "stage", "title")
    list_filter = ("stage", "type", "year")
    search_fields = ("reference", "title")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "place")
    list_filter = ("status", "body")


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "kind", "parent")
    search_fields = ("name", "abbreviation")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")


@admin.register(SubjectCode)
class SubjectCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "description")
    search_fields = ("code", "description")
