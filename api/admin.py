"""API tokens in the admin: listed and revoked, never added, edited or deleted here.

Tokens are issued by ``manage.py issue_token`` (which shows the key once); a revoked token stays
on record. The key's digest is never shown.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html

from api.models import APIToken
from api.services import token_revoke

REVOKE_BUTTON = "_revoke"


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "live"), ("revoked", "revoked"), ("expired", "expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.live()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(Q(revoked_at__isnull=True) & Q(expires_at__lte=now))
        return queryset


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "state",
    )
    list_filter = (StateFilter,)
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username")
    ordering = ("-created_at",)
    actions = ("revoke_selected",)
    # key_hash is left out on purpose.
    fields = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "state",
        "revoke",
    )
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.fields
        return tuple(field for field in self.fields if field != "revoke")

    @admin.display(description="state")
    def state(self, token: APIToken) -> str:
        return token.state

    @admin.display(description="revoke")
    def revoke(self, token: APIToken) -> str:
        if token.is_revoked:
            return "revoked already"
        # A submit button of the change form itself (all fields are read-only: nothing else
        # is saved); change_view turns it into token_revoke.
        return format_html(
            '<button type="submit" name="{}" value="1" class="button">Revoke this token</button>',
            REVOKE_BUTTON,
        )

    def has_add_permission(self, request) -> bool:
        return False  # tokens are issued by manage.py issue_token, which shows the key once

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a revoked token stays on record

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token)
            self.log_change(request, token, "Revoked.")
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and REVOKE_BUTTON in request.POST:
            token = self.get_object(request, object_id)
            if token is None or not self.has_change_permission(request, token):
                return super().change_view(request, object_id, form_url, extra_context)
            if not token.is_revoked:
                token_revoke(token=token)
                self.log_change(request, token, "Revoked.")
                self.message_user(request, f"Token {token} revoked.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        # Nothing on the page can be edited: only the revoke button submits.
        extra_context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        """Never writes: a token changes only through api.services."""
