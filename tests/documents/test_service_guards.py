"""Every service that checks a permission refuses, by itself, whoever lacks it, and writes
nothing: called directly, not through the admin (whose own checks would hide a missing one).

The services that check a permission are found in the source (any public function of
``documents/services`` or ``api/services.py`` that calls ``has_perm``, directly or through a
helper of its module): a new guarded service without a case here fails the suite.
"""

import ast
import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from documents.models import Classification, Document, ReleaseReason, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import document_classify, document_release, document_release_undo
from documents.services.subscriptions import release_review_keep
from tests.factories import DelegationFactory, DocumentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
SERVICE_MODULES = [
    *sorted((ROOT / "documents" / "services").glob("*.py")),
    ROOT / "api/services.py",
]


def _guarded_in(path: Path) -> set[str]:
    """Public functions of a module that call ``has_perm`` themselves or through a function
    of the same module that does (to a fixpoint)."""
    tree = ast.parse(path.read_text())
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}

    def calls(node: ast.FunctionDef) -> set[str]:
        names = set()
        for call in ast.walk(node):
            if isinstance(call, ast.Call):
                if isinstance(call.func, ast.Attribute):
                    names.add(call.func.attr)
                elif isinstance(call.func, ast.Name):
                    names.add(call.func.id)
        return names

    checking = {name for name, node in functions.items() if "has_perm" in calls(node)}
    while True:
        more = {name for name, node in functions.items() if calls(node) & checking} - checking
        if not more:
            break
        checking |= more
    return {name for name in checking if not name.startswith("_")}


def guarded_services() -> set[str]:
    return set().union(*(_guarded_in(path) for path in SERVICE_MODULES))


def everything() -> dict[str, list]:
    """Every row of every table of the project's apps (history and change log included)."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for app in ("documents", "api", "auth")
        for model in apps.get_app_config(app).get_models()
    }


# --- The cases: who may, who may not, and a call that the one who may can make ---------------


@pytest.fixture
def people(db):
    roles_set_up()

    def staff(role: Role | None, clearance: int = 0, **fields):
        user = UserFactory(**fields)
        UserProfile.objects.create(user=user, clearance=clearance)
        if role is not None:
            user_role_set(user=user, role=role)
        else:
            user.is_staff = True
            user.save()
        return type(user).objects.get(pk=user.pk)

    delegate = UserFactory()
    UserProfile.objects.create(
        user=delegate, delegation=DelegationFactory(code="BE"), clearance=Classification.SECRET_UE
    )
    return {
        "anonymous": AnonymousUser(),
        "delegate": type(delegate).objects.get(pk=delegate.pk),
        "staff without a role": staff(None, Classification.SECRET_UE),
        "clerk": staff(Role.CLERK, Classification.SECRET_UE),
        "supervisor": staff(Role.SUPERVISOR, Classification.SECRET_UE),
        "inactive supervisor": staff(Role.SUPERVISOR, is_active=False),
        "security officer": staff(Role.SECURITY_OFFICER, Classification.SECRET_UE),
        "inactive security officer": staff(
            Role.SECURITY_OFFICER, Classification.SECRET_UE, is_active=False
        ),
    }


def _limite() -> Document:
    return DocumentFactory(distribution="LIMITE")


def _released() -> Document:
    document = _limite()
    Document.objects.filter(pk=document.pk).update(
        released_at=timezone.now() - datetime.timedelta(days=1),
        released_by=UserFactory(),
        release_reason=ReleaseReason.ACT_ADOPTED,
    )
    return Document.objects.get(pk=document.pk)


# service name -> (the call, given a prepared document and a user; what prepares the document;
#                  who may; who may not)
GUARDS = {
    "document_release": (
        lambda document, user: document_release(
            document=document, reason=ReleaseReason.ACT_ADOPTED, released_by=user
        ),
        _limite,
        "supervisor",
        ["anonymous", "delegate", "staff without a role", "clerk", "inactive supervisor",
         "security officer"],
    ),
    "document_release_undo": (
        lambda document, user: document_release_undo(
            document=document, reason="released in error", undone_by=user
        ),
        _released,
        "supervisor",
        ["anonymous", "delegate", "staff without a role", "clerk", "inactive supervisor",
         "security officer"],
    ),
    "release_review_keep": (
        lambda document, user: release_review_keep(
            document=document, reason="an exception of Article 4 still applies", kept_by=user
        ),
        _limite,
        "supervisor",
        ["anonymous", "delegate", "staff without a role", "clerk", "inactive supervisor",
         "security officer"],
    ),
    "document_classify": (
        lambda document, user: document_classify(
            document=document, classification=Classification.RESTREINT_UE, classified_by=user
        ),
        _limite,
        "security officer",
        ["anonymous", "delegate", "staff without a role", "clerk", "supervisor",
         "inactive security officer"],
    ),
}  # fmt: skip


def test_every_service_that_checks_a_permission_has_its_guard_tested():
    assert guarded_services() == set(GUARDS)


CASES = [
    pytest.param(service, refused, id=f"{service}-{refused}")
    for service, (_call, _prepare, _allowed, refused_users) in GUARDS.items()
    for refused in refused_users
]


@pytest.mark.parametrize(("service", "refused"), CASES)
def test_a_guarded_service_refuses_whoever_lacks_the_permission_and_writes_nothing(
    people, service, refused
):
    """GIVEN a document the service can act on (the permitted user's call succeeds)
    WHEN a user without the permission calls the service directly
    THEN PermissionDenied, and not one row of the database changed."""
    call, prepare, allowed, _refused = GUARDS[service]
    document = prepare()
    before = everything()

    with pytest.raises(PermissionDenied):
        call(Document.objects.get(pk=document.pk), people[refused])

    assert everything() == before
    call(Document.objects.get(pk=document.pk), people[allowed])  # the case was a fair one
    assert everything() != before
