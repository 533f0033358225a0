"""The one visibility rule (DOMAIN.md, "Who may see what"), checked on the queryset itself.

Each door (admin, API, feeds, e-mails) has its own tests on top of these.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from documents.models import Classification, DelegationKind, Distribution, Document, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from tests.factories import DelegationFactory, DocumentFactory, UserFactory

# Which documents each reader may list (L) and read in full (R); "-" is neither.
MATRIX = {
    #  reader  public limite released wk restreint confidentiel to_observer cm ds pe-cons
    "anonymous":        ("R", "L", "R", "-", "-", "-", "L", "L", "-", "R"),
    "no_delegation":    ("R", "L", "R", "-", "-", "-", "L", "L", "-", "R"),
    "delegate":         ("R", "R", "R", "R", "-", "-", "R", "R", "R", "R"),
    "delegate_cleared": ("R", "R", "R", "R", "R", "-", "R", "R", "R", "R"),
    "observer":         ("R", "L", "R", "-", "-", "-", "R", "L", "-", "R"),
    "clerk":            ("R", "R", "R", "R", "-", "-", "R", "R", "R", "R"),
    "clerk_cleared":    ("R", "R", "R", "R", "-", "-", "R", "R", "R", "R"),
    "officer_cleared":  ("R", "R", "R", "R", "R", "R", "R", "R", "R", "R"),
    "officer_low":      ("R", "R", "R", "R", "R", "-", "R", "R", "R", "R"),
}  # fmt: skip
DOCUMENTS = (
    "public", "limite", "released", "wk", "restreint", "confidentiel", "to_observer",
    "limite_cm", "limite_ds", "public_pe_cons",
)  # fmt: skip


@pytest.fixture
def register(db):
    roles_set_up()
    member = DelegationFactory(code="BE", kind=DelegationKind.MEMBER_STATE)
    observer = DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)
    limite = {"distribution": Distribution.LIMITE}
    documents = {
        "public": DocumentFactory(),
        "limite": DocumentFactory(**limite),
        "released": DocumentFactory(**limite),
        "wk": DocumentFactory(series="WK", **limite),
        "restreint": DocumentFactory(classification=Classification.RESTREINT_UE),
        "confidentiel": DocumentFactory(classification=Classification.CONFIDENTIEL_UE, **limite),
        "to_observer": DocumentFactory(distributed_to=[observer], **limite),
        "limite_cm": DocumentFactory(series="CM", **limite),
        "limite_ds": DocumentFactory(series="DS", **limite),
        "public_pe_cons": DocumentFactory(series="PE-CONS"),
    }
    released_by = UserFactory(username="releaser")
    Document.objects.filter(pk=documents["released"].pk).update(
        released_at=timezone.now(), released_by=released_by, release_reason="act-adopted"
    )

    def reader(delegation=None, clearance=0, role=None):
        user = UserFactory()
        UserProfile.objects.create(user=user, delegation=delegation, clearance=clearance)
        if role:
            user_role_set(user=user, role=role)
        return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions

    readers = {
        "anonymous": AnonymousUser(),
        "no_delegation": reader(),
        "delegate": reader(member),
        "delegate_cleared": reader(member, Classification.RESTREINT_UE),
        "observer": reader(observer, Classification.SECRET_UE),
        "clerk": reader(role=Role.CLERK),
        # A clerk's clearance does not open classified documents at the registry desk.
        "clerk_cleared": reader(clearance=Classification.CONFIDENTIEL_UE, role=Role.CLERK),
        "officer_cleared": reader(
            clearance=Classification.CONFIDENTIEL_UE, role=Role.SECURITY_OFFICER
        ),
        "officer_low": reader(clearance=Classification.RESTREINT_UE, role=Role.SECURITY_OFFICER),
    }
    return documents, readers


@pytest.mark.parametrize("reader", MATRIX)
def test_each_reader_lists_and_reads_exactly_what_the_rule_allows(register, reader):
    documents, readers = register
    user = readers[reader]
    expected = dict(zip(DOCUMENTS, MATRIX[reader], strict=True))
    name = {doc.pk: key for key, doc in documents.items()}

    listed = {name[pk] for pk in Document.objects.visible_to(user).values_list("pk", flat=True)}
    readable = {name[pk] for pk in Document.objects.readable_by(user).values_list("pk", flat=True)}
    access = {name[d.pk]: d.full_access for d in Document.objects.with_access(user)}

    assert listed == {key for key, mark in expected.items() if mark in "LR"}
    assert readable == {key for key, mark in expected.items() if mark == "R"}
    assert access == {key: mark == "R" for key, mark in expected.items() if mark in "LR"}


def test_inactive_user_is_the_public(register):
    _documents, readers = register
    clerk = readers["officer_cleared"]
    clerk.is_active = False

    assert set(Document.objects.visible_to(clerk)) == set(
        Document.objects.visible_to(AnonymousUser())
    )
