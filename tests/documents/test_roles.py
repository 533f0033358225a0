"""Every role against every admin model and custom action, allowed and refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import (
    Body,
    Delegation,
    Distribution,
    Document,
    Meeting,
    SubjectCode,
    UserProfile,
)
from documents.roles import Role, roles_set_up, user_role_set
from tests.factories import DocumentFactory, ProcedureFactory, UserFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# v: view, a: add, c: change, d: delete. Written out by hand from the issue, not from the code.
MATRIX = {
    "document": {Role.CLERK: "vac", Role.SUPERVISOR: "vacd", Role.SECURITY_OFFICER: "vac"},
    "procedure": {Role.CLERK: "vac", Role.SUPERVISOR: "vacd", Role.SECURITY_OFFICER: ""},
    "meeting": {Role.CLERK: "vac", Role.SUPERVISOR: "vacd", Role.SECURITY_OFFICER: ""},
    "body": {Role.CLERK: "v", Role.SUPERVISOR: "vacd", Role.SECURITY_OFFICER: "v"},
    "delegation": {Role.CLERK: "v", Role.SUPERVISOR: "vacd", Role.SECURITY_OFFICER: "v"},
    "subjectcode": {Role.CLERK: "v", Role.SUPERVISOR: "vacd", Role.SECURITY_OFFICER: "v"},
    "userprofile": {Role.CLERK: "", Role.SUPERVISOR: "", Role.SECURITY_OFFICER: "vc"},
}
CUSTOM = {  # custom actions: who may
    "release": {Role.SUPERVISOR},
    "undo-release": {Role.SUPERVISOR},
    "derive": {Role.CLERK, Role.SUPERVISOR, Role.SECURITY_OFFICER},
}


@pytest.fixture
def objects(db):
    roles_set_up()
    body = Body.objects.create(name="Working Party on Information", kind="working-party")
    user = UserFactory(username="someone")
    return {
        "document": DocumentFactory(distribution=Distribution.LIMITE),
        "procedure": ProcedureFactory(),
        "meeting": Meeting.objects.create(body=body, starts_at=timezone.now()),
        "body": body,
        "delegation": Delegation.objects.create(code="BE", name="Belgium", kind="member-state"),
        "subjectcode": SubjectCode.objects.create(code="JAI"),
        "userprofile": UserProfile.objects.create(user=user),
    }


def login_as(client, role: Role) -> None:
    user = UserFactory()
    UserProfile.objects.create(user=user)
    user_role_set(user=user, role=role)
    client.force_login(user, backend=MODEL_BACKEND)


CASES = [(model, role) for model in MATRIX for role in Role]


@pytest.mark.parametrize(("model", "role"), CASES)
def test_role_may_do_exactly_what_the_matrix_says(client, objects, model, role):
    login_as(client, role)
    obj = objects[model]
    allowed = MATRIX[model][role]

    changelist = client.get(reverse(f"admin:documents_{model}_changelist"))
    add = client.get(reverse(f"admin:documents_{model}_add"))
    change = client.get(reverse(f"admin:documents_{model}_change", args=[obj.pk]))
    delete = client.get(reverse(f"admin:documents_{model}_delete", args=[obj.pk]))

    assert changelist.status_code == (200 if "v" in allowed else 403)
    assert add.status_code == (200 if "a" in allowed else 403)
    if "v" in allowed:
        assert change.status_code == 200
        assert change.context["has_change_permission"] == ("c" in allowed)
    else:
        assert change.status_code == 403
    assert delete.status_code == (200 if "d" in allowed else 403)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(CUSTOM))
def test_custom_actions_follow_the_matrix(client, objects, role, action):
    login_as(client, role)
    document = objects["document"]
    if action == "undo-release":  # something to undo
        Document.objects.filter(pk=document.pk).update(
            released_at=timezone.now(), released_by=UserFactory(), release_reason="act-adopted"
        )
    url = {
        "release": reverse("admin:documents_document_release", args=[document.pk]),
        "undo-release": reverse("admin:documents_document_undo_release", args=[document.pk]),
        "derive": reverse("admin:documents_document_derive", args=[document.pk, "REV"]),
    }[action]

    client.post(url, {"apply": "1", "reason": "act-adopted"})

    document.refresh_from_db()
    done = {
        "release": document.released_at is not None,
        "undo-release": document.released_at is None,
        "derive": Document.objects.filter(reference=f"{document.reference[:-4]}REV 1").exists(),
    }[action]
    assert done == (role in CUSTOM[action])


def test_a_user_without_a_role_cannot_enter_the_admin(client, objects):
    user = UserFactory(is_staff=True)  # staff flag alone gives nothing
    client.force_login(user, backend=MODEL_BACKEND)

    index = client.get(reverse("admin:index"))
    changelist = client.get(reverse("admin:documents_document_changelist"))

    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert changelist.status_code == 403


def test_supervisor_cannot_delete_a_document_others_point_at(client, objects):
    login_as(client, Role.SUPERVISOR)
    document = objects["document"]
    ProcedureFactory().documents.through.objects.create(
        document=document, procedure=objects["procedure"]
    )

    page = client.get(reverse("admin:documents_document_delete", args=[document.pk]))
    client.post(reverse("admin:documents_document_delete", args=[document.pk]), {"post": "yes"})

    assert page.context["protected"]
    document.refresh_from_db()
    assert document.date == datetime.date(2024, 1, 17)
