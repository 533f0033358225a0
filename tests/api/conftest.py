"""Fixtures for the API tests."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from documents.models import (
    Classification,
    DelegationKind,
    Distribution,
    Document,
    Meeting,
    UserProfile,
)
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import agenda_item_add, document_file_add, procedure_event_add
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    DocumentFactory,
    ProcedureFactory,
    SubjectCodeFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _throttle_counts_cleared():
    """API rate limits count in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def register(db):
    """One document of each kind of the visibility table, linked from a procedure's timeline,
    a meeting's agenda and each other, and a reader of each kind."""
    return register_create()


def register_create() -> dict:
    """What the ``register`` fixture holds, made in the current transaction (or committed)."""
    roles_set_up()
    SubjectCodeFactory(code="JAI")
    procedure = ProcedureFactory(year=2023, number=452)
    body = BodyFactory(name="Law Enforcement Working Party (Police)")
    member = DelegationFactory(code="BE", kind=DelegationKind.MEMBER_STATE)
    observer = DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)
    limite = {"distribution": Distribution.LIMITE, "subject_codes": ["JAI"]}
    linked = {"procedures": [procedure], "bodies": [body]}
    documents = {
        "public": DocumentFactory(subject="Public agenda", **linked),
        "limite": DocumentFactory(subject="Limite compromise text", **limite, **linked),
        "released": DocumentFactory(subject="Released note", **limite),
        "wk": DocumentFactory(series="WK", subject="Working paper", **limite, **linked),
        "secret": DocumentFactory(
            subject="Secret threat assessment", classification=Classification.SECRET_UE, **linked
        ),
        "to_observer": DocumentFactory(
            subject="Note for the mixed committee", distributed_to=[observer], **limite
        ),
    }
    Document.objects.filter(pk=documents["released"].pk).update(
        released_at=timezone.now(), released_by=UserFactory(), release_reason="act-adopted"
    )
    for document in documents.values():
        if not document.classification:
            document_file_add(
                document=document, language="en", upload=ContentFile(b"text", name="t.txt")
            )
    meeting = Meeting.objects.create(body=body, starts_at=timezone.now())
    agenda_item_add(
        meeting=meeting, title="Item", procedures=[procedure],
        documents=[documents["public"], documents["limite"], documents["wk"], documents["secret"]],
    )  # fmt: skip
    procedure_event_add(
        procedure=procedure, date=datetime.date(2024, 1, 1), title="Threat assessment",
        document=documents["secret"],
    )  # fmt: skip

    def reader(delegation=None, clearance=0, role=None):
        user = UserFactory()
        UserProfile.objects.create(user=user, delegation=delegation, clearance=clearance)
        if role:
            user_role_set(user=user, role=role)
        return type(user).objects.get(pk=user.pk)

    readers = {
        "anonymous": AnonymousUser(),
        "delegate": reader(member),
        "cleared": reader(member, Classification.SECRET_UE),
        "observer": reader(observer),
        "clerk": reader(role=Role.CLERK),
    }
    return {"documents": documents, "readers": readers, "meeting": meeting, "body": body}
