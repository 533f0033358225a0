"""Procedures, meetings and the reference data around documents."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from simple_history.admin import SimpleHistoryAdmin

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Body,
    Delegation,
    Document,
    DocumentProcedure,
    Meeting,
    Procedure,
    ProcedureEvent,
    SubjectCode,
    UserProfile,
)
from documents.services.history import links_create
from documents.services.procedures import procedure_stage_sync


class VisibleDocumentsMixin:
    """Every document a form offers or validates comes from the one visibility rule."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Document:
            kwargs["queryset"] = Document.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProcedureEventInline(VisibleDocumentsMixin, admin.TabularInline):
    model = ProcedureEvent
    extra = 0
    fields = ("date", "order", "title", "stage", "document")
    autocomplete_fields = ("document",)
    can_delete = False


class ProcedureDocumentInline(admin.TabularInline):
    """The procedure's documents, as far as the user may see them."""

    model = DocumentProcedure
    verbose_name_plural = "documents"
    fields = ("document", "date", "subject")
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0

    def get_queryset(self, request):
        visible = Document.objects.visible_to(request.user)
        return super().get_queryset(request).filter(document__in=visible).select_related("document")

    @admin.display(description="date")
    def date(self, obj: DocumentProcedure):
        return obj.document.date

    @admin.display(description="subject")
    def subject(self, obj: DocumentProcedure):
        return obj.document.subject


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "stage", "title", "lead_body")
    list_filter = ("stage", "type", "year", "lead_body")
    list_select_related = ("lead_body",)
    search_fields = ("reference", "title", "commission_proposal")
    autocomplete_fields = ("lead_body",)
    inlines = (ProcedureEventInline, ProcedureDocumentInline)
    readonly_fields = ("reference", "created_at", "updated_at")
    fields = (
        "year", "number", "type", "reference", "title", "commission_proposal",
        "commission_proposal_date", "lead_body", "stage", "adopted_act", "created_at", "updated_at",
    )  # fmt: skip

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        procedure_stage_sync(procedure=form.instance)


class AgendaItemForm(forms.ModelForm):
    linked_procedures = forms.ModelMultipleChoiceField(
        Procedure.objects.all(),
        required=False,
        label="procedures",
        widget=AutocompleteSelectMultiple(AgendaItem._meta.get_field("procedures"), admin.site),
    )
    linked_documents = forms.ModelMultipleChoiceField(
        Document.objects.none(),
        required=False,
        label="documents",
        widget=AutocompleteSelectMultiple(AgendaItem._meta.get_field("documents"), admin.site),
    )

    class Meta:
        model = AgendaItem
        fields = ("order", "title")

    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Document.objects.visible_to(self.request.user)
        self.fields["linked_documents"].queryset = visible
        if self.instance.pk:
            self.initial["linked_procedures"] = list(self.instance.procedures.all())
            self.initial["linked_documents"] = list(self.instance.documents.filter(pk__in=visible))


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 1
    fields = ("order", "title", "linked_procedures", "linked_documents")
    ordering = ("order",)
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("AgendaItemForm", (self.form,), {"request": request})
        return super().get_formset(request, obj, **kwargs)


@admin.register(Meeting)
class MeetingAdmin(VisibleDocumentsMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "title", "status", "place")
    list_filter = ("status", "body")
    list_select_related = ("body",)
    date_hierarchy = "starts_at"
    search_fields = ("title", "body__name", "body__abbreviation")
    autocomplete_fields = ("body", "notice", "outcome_document")
    inlines = (AgendaItemInline,)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        visible = Document.objects.visible_to(request.user)
        for item_form in formset.forms:
            item = item_form.instance
            if not item.pk or not item_form.has_changed():
                continue
            _links_set(
                AgendaItemProcedure, item, "procedure", item_form.cleaned_data["linked_procedures"]
            )
            # Links to documents this user cannot see are kept as they are.
            _links_set(
                AgendaItemDocument, item, "document", item_form.cleaned_data["linked_documents"],
                visible=visible,
            )  # fmt: skip


def _links_set(model, item, field, wanted, visible=None) -> None:
    """Make an agenda item's links exactly ``wanted`` (among ``visible`` documents only)."""
    links = model.objects.filter(agenda_item=item)
    if visible is not None:
        links = links.filter(**{f"{field}__in": visible})
    current = {getattr(link, f"{field}_id"): link for link in links}
    wanted_ids = {obj.pk for obj in wanted}
    for pk, link in current.items():
        if pk not in wanted_ids:
            link.delete()
    links_create(
        [model(agenda_item=item, **{field: obj}) for obj in wanted if obj.pk not in current]
    )


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "kind", "parent")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "abbreviation")
    autocomplete_fields = ("parent",)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(SubjectCode)
class SubjectCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "description")
    search_fields = ("code", "description")


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "delegation", "clearance")
    list_filter = ("clearance", "delegation")
    list_select_related = ("user", "delegation")
    search_fields = ("user__username", "delegation__code")
    autocomplete_fields = ("delegation",)
