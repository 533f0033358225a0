"""Reminders at the registry desk: subscriptions, lead times, the outbox (with the jobs' health)
and supervisors' decisions to keep a LIMITE document. Every write goes through a service."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from documents.admin.base import VisibleDocumentsAdminMixin
from documents.models import (
    Document,
    LeadTime,
    Meeting,
    Notification,
    NotificationStatus,
    Procedure,
    ReleaseReview,
    ReminderOptOut,
    ReminderRule,
    Subscription,
)
from documents.reminders.health import jobs_status
from documents.selectors import HIDDEN
from documents.services.outbox import notifications_retry
from documents.services.subscriptions import (
    release_review_keep,
    subscription_cancel,
    subscription_create,
)


def _errors_to_form(form: forms.Form, error: ValidationError, fields: dict[str, str]) -> None:
    for field, problems in error.message_dict.items():
        name = fields.get(field, field)
        form.add_error(name if name in form.fields else None, problems)


class SubscriptionForm(forms.ModelForm):
    """Follow one thing on behalf of a user; the service checks and creates it."""

    user = forms.ModelChoiceField(get_user_model().objects.filter(is_active=True))

    class Meta:
        model = Subscription
        fields = ("user", "procedure", "body", "subject_code", "filter_query")

    def _post_clean(self) -> None:
        """After the form's and the model's checks: the service checks the rest, and writes."""
        super()._post_clean()
        if self.errors:
            return
        cleaned = self.cleaned_data
        try:
            with transaction.atomic():
                self.created = subscription_create(
                    user=cleaned["user"],
                    procedure=cleaned.get("procedure"),
                    body=cleaned.get("body"),
                    subject_code=cleaned.get("subject_code"),
                    filter_query=cleaned.get("filter_query") or None,
                )
        except ValidationError as error:
            _errors_to_form(self, error, {"filter": "filter_query"})


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "active"), ("cancelled", "cancelled")]

    def queryset(self, request, queryset):
        if self.value() in ("active", "cancelled"):
            return queryset.filter(cancelled_at__isnull=self.value() == "active")
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Clerks follow things for users and cancel follows; a subscription is never edited."""

    form = SubscriptionForm
    list_display = ("user", "kind", "target", "created_at", "cancelled_at")
    list_filter = (ActiveFilter, "kind")
    list_select_related = ("user", "procedure", "body", "subject_code")
    search_fields = ("user__username", "user__email", "procedure__reference", "body__name")
    actions = ("cancel_selected",)
    autocomplete_fields = ("procedure", "body", "subject_code")

    @admin.display(description="follows")
    def target(self, subscription: Subscription) -> str:
        return subscription.target_label

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "kind", "target", "created_at", "cancelled_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return SubscriptionForm.Meta.fields
        return self.get_readonly_fields(request, obj)

    def save_form(self, request, form, change):
        return form.instance if change else form.created

    def save_model(self, request, obj, form, change) -> None:
        """Created by the form, through subscription_create; never changed."""

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing related: the service wrote the whole subscription."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancelled, so that the outbox keeps saying why e-mails went out

    @admin.action(description="Cancel selected subscriptions", permissions=["change"])
    def cancel_selected(self, request, queryset) -> None:
        active = list(queryset.filter(cancelled_at__isnull=True))
        for subscription in active:
            subscription_cancel(subscription=subscription)
            self.log_change(request, subscription, "Cancelled.")
        self.message_user(request, f"{len(active)} subscription(s) cancelled.", messages.SUCCESS)


@admin.register(LeadTime)
class LeadTimeAdmin(admin.ModelAdmin):
    """How many days ahead meeting and comment-deadline reminders go out."""

    list_display = ("rule", "days")
    list_filter = ("rule",)
    ordering = ("rule", "-days")


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return NotificationStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


def _named(queryset, column: str):
    return Subquery(queryset.filter(pk=OuterRef("object_id")).values(column)[:1])


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only; failed e-mails can be retried. The page opens with the health of
    the jobs (beat, workers) and the outbox's counts."""

    list_display = (
        "created_at", "rule", "about", "occurrence", "recipient", "status", "attempts",
        "next_attempt_at", "sent_at", "problem",
    )  # fmt: skip
    list_filter = (StatusFilter, "rule")
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "recipient__email", "occurrence")
    date_hierarchy = "created_at"
    actions = ("retry_selected",)
    show_full_result_count = False
    change_list_template = "admin/documents/notification/change_list.html"

    def get_queryset(self, request):
        """What each e-mail is about, in the list's one query: meetings and procedures are
        public; a document is named only if the clerk may see it."""
        visible = Document.objects.visible_to(request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(
                about_meeting=_named(
                    Meeting.objects.annotate(
                        label=Coalesce(NullIf("body__abbreviation", Value("")), "body__name")
                    ),
                    "label",
                ),
                about_meeting_at=_named(Meeting.objects.all(), "starts_at"),
                about_procedure=_named(Procedure.objects.all(), "reference"),
                about_document=_named(visible, "reference"),
            )
        )

    @admin.display(description="about")
    def about(self, notification: Notification) -> str:
        rule = notification.rule
        if rule in (ReminderRule.MEETING, ReminderRule.MEETING_CHANGED):
            if notification.about_meeting is None:
                return "a deleted meeting"
            starts = timezone.localtime(notification.about_meeting_at)
            return f"{notification.about_meeting} meeting of {starts:%d.%m.%Y}"
        if rule == ReminderRule.COMMENT_DEADLINE:
            return notification.about_document or HIDDEN
        if rule == ReminderRule.RELEASE_REVIEW:
            return notification.about_procedure or "a deleted procedure"
        return "what the recipient follows"

    @admin.display(description="error or reason")
    def problem(self, notification: Notification) -> str:
        return (notification.last_error or notification.reason)[:120]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # the rules fill the outbox

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the outbox is the record of what was sent

    def save_model(self, request, obj, form, change) -> None:
        """Never writes: the outbox changes only through documents.services.outbox."""

    def changelist_view(self, request, extra_context=None):
        extra = {"jobs": jobs_status(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"show_save": False, "show_save_and_continue": False, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description="Retry selected failed e-mails now", permissions=["change"])
    def retry_selected(self, request, queryset) -> None:
        retried = notifications_retry(notifications=list(queryset))
        self.message_user(request, f"{len(retried)} failed e-mail(s) will be sent again.")


class ReleaseReviewForm(VisibleDocumentsAdminMixin.form):
    class Meta:
        model = ReleaseReview
        fields = ("document", "reason")

    def _post_clean(self) -> None:
        """After the form's and the model's checks: the service checks the rest, and writes."""
        super()._post_clean()
        if self.errors:
            return
        cleaned = self.cleaned_data
        try:
            with transaction.atomic():
                self.kept = release_review_keep(
                    document=cleaned["document"], reason=cleaned["reason"],
                    kept_by=self.request.user,
                )  # fmt: skip
        except ValidationError as error:
            _errors_to_form(self, error, {})


@admin.register(ReleaseReview)
class ReleaseReviewAdmin(VisibleDocumentsAdminMixin, admin.ModelAdmin):
    """Supervisors keep a LIMITE document unreleased after its act's adoption, saying why; the
    weekly release review stops naming it. Deleting the decision puts it back under review."""

    form = ReleaseReviewForm
    list_display = ("document", "reason", "kept_by", "kept_at")
    list_select_related = ("document", "kept_by")
    search_fields = ("document__reference", "reason")
    autocomplete_fields = ("document",)

    def get_queryset(self, request):
        visible = Document.objects.visible_to(request.user)
        return super().get_queryset(request).filter(document__in=visible)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("document", "reason", "kept_by", "kept_at")

    def save_form(self, request, form, change):
        return form.instance if change else form.kept

    def save_model(self, request, obj, form, change) -> None:
        """Recorded by the form, through release_review_keep; never changed."""

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing related: the service wrote the whole decision."""


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(admin.ModelAdmin):
    """Users who unsubscribed from the digest or the release review; deleting one resumes it."""

    list_display = ("user", "rule", "created_at")
    list_filter = ("rule",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "rule", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # users opt out by unsubscribing

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an opt-out is kept or deleted, never edited
