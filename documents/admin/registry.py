"""Procedures, meetings and the reference data around documents."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple

from documents.admin.base import (
    ProtectedNamesHiddenMixin,
    RecordHistoryMixin,
    VisibleDocumentsAdminMixin,
)
from documents.models import (
    AgendaItem,
    Body,
    Delegation,
    Document,
    DocumentProcedure,
    Meeting,
    Procedure,
    ProcedureEvent,
    ProcedureStage,
    SubjectCode,
    UserProfile,
)
from documents.selectors import meeting_history, procedure_history
from documents.services.meetings import (
    agenda_item_links_set,
    meeting_agenda_changed,
    meeting_delete,
    meeting_save,
)
from documents.services.procedures import (
    procedure_delete,
    procedure_save,
    procedure_timeline_changed,
)
from documents.services.reference import reference_record_delete, reference_record_save


class ReferenceRecordAdminMixin:
    """Bodies, subject codes and delegations are saved and deleted through their service, so
    that mirrors are told."""

    def save_model(self, request, obj, form, change) -> None:
        reference_record_save(record=obj, changed=form.changed_data if change else None)

    def delete_model(self, request, obj) -> None:
        reference_record_delete(record=obj)


class TimelineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The act stays named only while the timeline ends adopted or published."""
        super().clean()
        procedure = self.instance
        if not procedure.adopted_act or any(self.errors):
            return
        staged = [
            (f.cleaned_data["date"], f.cleaned_data["order"], f.cleaned_data["stage"])
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("stage")
        ]
        staged += [
            (e.date, e.order, e.stage)
            for e in procedure.events.exclude(stage="").exclude(
                pk__in=[f.instance.pk for f in self.forms]
            )
        ]
        if staged and max(staged)[2] not in (ProcedureStage.ADOPTED, ProcedureStage.PUBLISHED):
            raise forms.ValidationError(
                f"The procedure names its adopted act ({procedure.adopted_act}), but its latest "
                f"event would move it to {ProcedureStage(max(staged)[2]).label}."
            )


class ProcedureEventInline(VisibleDocumentsAdminMixin, admin.TabularInline):
    model = ProcedureEvent
    formset = TimelineFormSet
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
class ProcedureAdmin(ProtectedNamesHiddenMixin, RecordHistoryMixin, admin.ModelAdmin):
    history_selector = staticmethod(procedure_history)
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

    def save_model(self, request, obj, form, change) -> None:
        procedure_save(procedure=obj, by=request.user)

    def delete_model(self, request, obj) -> None:
        procedure_delete(procedure=obj, by=request.user)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is ProcedureEvent and formset.has_changed():
            procedure_timeline_changed(procedure=form.instance, by=request.user)


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
class MeetingAdmin(
    ProtectedNamesHiddenMixin, RecordHistoryMixin, VisibleDocumentsAdminMixin, admin.ModelAdmin
):
    history_selector = staticmethod(meeting_history)
    list_display = ("__str__", "title", "status", "place")
    list_filter = ("status", "body")
    list_select_related = ("body",)
    date_hierarchy = "starts_at"
    search_fields = ("title", "body__name", "body__abbreviation")
    autocomplete_fields = ("body", "notice", "outcome_document")
    inlines = (AgendaItemInline,)
    readonly_fields = ("key",)

    def save_model(self, request, obj, form, change) -> None:
        meeting_save(meeting=obj, by=request.user)

    def delete_model(self, request, obj) -> None:
        meeting_delete(meeting=obj, by=request.user)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if any(f.has_changed() and set(f.changed_data) & {"order", "title"} for f in formset.forms):
            meeting_agenda_changed(meeting=form.instance)
        for item_form in formset.forms:
            if item_form.instance.pk and item_form.has_changed():
                agenda_item_links_set(
                    item=item_form.instance,
                    procedures=item_form.cleaned_data["linked_procedures"],
                    documents=item_form.cleaned_data["linked_documents"],
                    user=request.user,
                )


@admin.register(Body)
class BodyAdmin(ReferenceRecordAdminMixin, ProtectedNamesHiddenMixin, admin.ModelAdmin):
    list_display = ("name", "abbreviation", "kind", "parent")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "abbreviation")
    autocomplete_fields = ("parent",)


@admin.register(Delegation)
class DelegationAdmin(ReferenceRecordAdminMixin, ProtectedNamesHiddenMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(SubjectCode)
class SubjectCodeAdmin(ReferenceRecordAdminMixin, ProtectedNamesHiddenMixin, admin.ModelAdmin):
    list_display = ("code", "description")
    search_fields = ("code", "description")


class UserProfileForm(forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ("delegation", "clearance")

    request = None

    def clean_clearance(self) -> int:
        """Nobody grants a clearance above their own."""
        clearance = self.cleaned_data["clearance"]
        own = getattr(self.request.user, "profile", None)
        if not self.request.user.is_superuser and clearance > (own.clearance if own else 0):
            raise forms.ValidationError("above your own clearance")
        return clearance


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "delegation", "clearance")
    list_filter = ("clearance", "delegation")
    list_select_related = ("user", "delegation")
    search_fields = ("user__username", "delegation__code")
    autocomplete_fields = ("delegation",)
    form = UserProfileForm
    readonly_fields = ("user",)

    def get_queryset(self, request):
        """Nobody but a system administrator edits their own profile (and clearance)."""
        profiles = super().get_queryset(request)
        return profiles if request.user.is_superuser else profiles.exclude(user=request.user)

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type("UserProfileForm", (self.form,), {"request": request})
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request) -> bool:
        return False  # profiles come with the user accounts
