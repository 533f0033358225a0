"""The document list at the desk, fit for a register of a million documents: filters whose
choices come from small tables or the calendar, and a page count that stops counting."""

import datetime

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import cached_property

from documents.models import DocumentSubjectCode, SubjectCode


class CappedPaginator(Paginator):
    """Counts at most ``CAP`` + 1 rows: a count of every visible document, on every page, would
    cost more than the page. Beyond the cap the list says "10001" and pages on."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        # Unordered and by key only: the count needs no sort and no annotation.
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()


class YearFilter(admin.SimpleListFilter):
    """The last ten years, from the calendar (older ones: search their references)."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        this = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this, this - 10, -1)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdecimal():
            return queryset.filter(year=int(self.value()))
        return queryset


class SubjectCodeFilter(admin.SimpleListFilter):
    """Documents carrying a subject code (the codes are a small table)."""

    title = "subject code"
    parameter_name = "subject_code"

    def lookups(self, request, model_admin):
        return [(code, code) for code in SubjectCode.objects.values_list("code", flat=True)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        links = DocumentSubjectCode.objects.filter(subject_code__code=self.value())
        return queryset.filter(Exists(links.filter(document=OuterRef("pk"))))


class CommentsDueFilter(admin.SimpleListFilter):
    """Documents whose written comments are due: soon, or already past."""

    title = "comments due"
    parameter_name = "comments_due"

    def lookups(self, request, model_admin):
        return [("week", "in the next 7 days"), ("month", "in the next 30 days"),
                ("past", "already past")]  # fmt: skip

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "week":
            return queryset.filter(comments_due__range=(today, today + datetime.timedelta(7)))
        if self.value() == "month":
            return queryset.filter(comments_due__range=(today, today + datetime.timedelta(30)))
        if self.value() == "past":
            return queryset.filter(comments_due__lt=today)
        return queryset
