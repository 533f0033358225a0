"""The audit trail at the desk: read-only, for supervisors, filtered and exported as CSV.

Filters: kind, door, delegation, user (username), document (any spelling of a reference; without
a suffix, every version of the number) and a range of Brussels days. "Export CSV" downloads the
rows the page shows (same filters and search), all of them, not one page. Only reads of
documents the supervisor may see are listed or exported (the trail names them).
"""

import csv
import datetime

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from documents.models import Document, DocumentRead
from documents.references import InvalidReference, parse_document_reference


class InputFilter(admin.ListFilter):
    """A filter typed in (a text or date box per parameter) rather than picked from a list:
    the users and documents of a trail are far too many to list."""

    template = "admin/documents/input_filter.html"
    # (query parameter, label, input type)
    inputs: tuple[tuple[str, str, str], ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name, _label, _type in self.inputs:
            if name in params:
                value = params.pop(name)[-1].strip()
                if value:
                    self.used_parameters[name] = value

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [name for name, _label, _type in self.inputs]

    def choices(self, changelist):
        own = set(self.expected_parameters()) | {PAGE_VAR}
        yield {
            "hidden": [(k, v) for k, v in changelist.params.items() if k not in own],
            "fields": [
                {"name": name, "label": label, "type": kind,
                 "value": self.used_parameters.get(name, "")}
                for name, label, kind in self.inputs
            ],
            "clear": changelist.get_query_string(remove=own),
            "active": bool(self.used_parameters),
        }  # fmt: skip


class UserFilter(InputFilter):
    title = "user"
    inputs = (("username", "username", "text"),)

    def queryset(self, request, queryset):
        if username := self.used_parameters.get("username"):
            return queryset.filter(user__username=username)
        return queryset


class DocumentFilter(InputFilter):
    title = "document"
    inputs = (("reference", "reference", "text"),)

    def queryset(self, request, queryset):
        text = self.used_parameters.get("reference")
        if not text:
            return queryset
        try:
            reference = parse_document_reference(text)
        except InvalidReference as error:
            raise IncorrectLookupParameters(str(error)) from error
        if not reference.suffixes and not text.upper().endswith("INIT"):
            return queryset.filter(
                document__series=reference.series,
                document__number=reference.number,
                document__year=reference.year,
            )
        return queryset.filter(document__reference=reference.canonical)


class DayRangeFilter(InputFilter):
    title = "day (Brussels)"
    inputs = (("day_from", "from", "date"), ("day_to", "to", "date"))

    def queryset(self, request, queryset):
        for name, lookup in (("day_from", "day__gte"), ("day_to", "day__lte")):
            if raw := self.used_parameters.get(name):
                try:
                    day = datetime.date.fromisoformat(raw)
                except ValueError as error:
                    raise IncorrectLookupParameters(f"{name}: {raw!r} is not a date") from error
                queryset = queryset.filter(**{lookup: day})
        return queryset


EXPORT_COLUMNS = (
    "day", "user", "delegation", "document", "kind", "via", "count", "first_at", "last_at",
    "language", "address",
)  # fmt: skip


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    row.day.isoformat(),
                    row.user.get_username() if row.user else "",
                    row.delegation.code if row.delegation else "",
                    row.document.reference,
                    row.kind,
                    row.via,
                    row.count,
                    timezone.localtime(row.at).isoformat(),
                    timezone.localtime(row.last_at).isoformat(),
                    row.language,
                    row.address,
                )
            ]
        )


@admin.register(DocumentRead)
class DocumentReadAdmin(admin.ModelAdmin):
    """The audit trail: read-only, for supervisors (``view_documentread``)."""

    change_list_template = "admin/documents/documentread/change_list.html"
    list_display = (
        "day", "user", "delegation", "document", "kind", "via", "count", "language", "address",
        "last_at",
    )  # fmt: skip
    list_filter = ("kind", "via", "delegation", UserFilter, DocumentFilter, DayRangeFilter)
    list_select_related = ("user", "delegation", "document")
    search_fields = ("user__username", "document__reference", "address")
    date_hierarchy = "day"
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts per filter value cost a query each

    def get_queryset(self, request):
        # Only reads of documents this user may see: the trail names them.
        visible = Document.objects.visible_to(request.user)
        return super().get_queryset(request).filter(document__in=visible)

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_view),
            name="documents_documentread_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The rows of the change list as it is filtered and searched, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            return HttpResponseBadRequest(f"bad filter: {error}", content_type="text/plain")
        rows = changelist.get_queryset(request).iterator(chunk_size=2000)
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
        return response

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
