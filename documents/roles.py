"""The roles of the registry desk, as Django groups with model permissions.

``roles_set_up()`` is idempotent: it makes each group hold exactly the permissions below, so a
permission removed here is removed from the group too. Run by ``manage.py setup_roles``.
"""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db import transaction


class Role(StrEnum):
    CLERK = "Registry clerk"
    SUPERVISOR = "Registry supervisor"
    SECURITY_OFFICER = "Security officer"


# Models clerks keep up to date every day.
_REGISTRY = (
    "document", "documentfile", "documentprocedure", "documentbody", "documentsubjectcode",
    "documentdistribution", "citation", "procedure", "procedureevent", "meeting", "agendaitem",
    "agendaitemprocedure", "agendaitemdocument",
)  # fmt: skip
# Reference data supervisors manage and clerks only read.
_REFERENCE = ("subjectcode", "body", "delegation")


def _codenames(actions: tuple[str, ...], models: tuple[str, ...]) -> set[str]:
    return {f"{action}_{model}" for action in actions for model in models}


# Reminders: clerks keep subscriptions and lead times, and watch (and retry) the outbox.
_REMINDERS = _codenames(("view", "add", "change"), ("subscription", "leadtime")) | {
    "view_notification",
    "change_notification",
}

PERMISSIONS: dict[Role, set[str]] = {
    Role.CLERK: _codenames(("view", "add", "change"), _REGISTRY)
    | _codenames(("view",), _REFERENCE)
    | _REMINDERS,
    Role.SUPERVISOR: _codenames(("view", "add", "change", "delete"), _REGISTRY + _REFERENCE)
    | _REMINDERS
    | {"delete_leadtime", "view_reminderoptout", "delete_reminderoptout"}
    # Keeps LIMITE documents after their act's adoption, with a reason (or reopens the review).
    | _codenames(("view", "add", "delete"), ("releasereview",))
    | {"release_document", "view_documentread"}
    | {"view_apitoken", "change_apitoken"},  # reads the audit trail, revokes API tokens
    # Registers classified documents itself, so that they are never unclassified for a moment.
    Role.SECURITY_OFFICER: _codenames(("view", "add", "change"), ("document",))
    | _codenames(("view", "change"), ("userprofile",))
    | {"classify_document"}
    | _codenames(("view",), _REFERENCE),
}


@transaction.atomic
def roles_set_up() -> dict[Role, Group]:
    groups = {}
    for role, codenames in PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        permissions = Permission.objects.filter(
            content_type__app_label__in=("documents", "api"), codename__in=codenames
        )
        missing = codenames - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"unknown permissions for {role}: {', '.join(sorted(missing))}")
        group.permissions.set(permissions)
        groups[role] = group
    return groups


def user_role_set(*, user, role: Role) -> None:
    """Give ``user`` the admin with ``role``'s permissions (and no other role)."""
    user.groups.set([Group.objects.get(name=role.value)])
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
