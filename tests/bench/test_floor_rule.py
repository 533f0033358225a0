"""The visibility rule ``make bench`` restates in SQL for its floors (``bench/operations.py``)
says what DOMAIN.md says, and what ``documents/querysets.py`` does, for every combination of
facts and each caller the bench measures: on documents, and on the change log's visibility
states (what the changes feed's floor reads). A floor that saw more or less than the API
would measure another answer."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from bench.operations import CALLERS, sql_for
from documents.models import (
    Delegation,
    DelegationKind,
    Document,
    UserProfile,
    VisibilityState,
)
from documents.querysets import state_levels
from documents.roles import Role, roles_set_up, user_role_set
from tests import oracle
from tests.factories import DelegationFactory, UserFactory

SERIES = ("ST", "WK", "CM", "SN", "DS", "PE-CONS")
# (distribution, released)
MARKINGS = (("PUBLIC", False), ("LIMITE", False), ("LIMITE", True))
CLASSIFICATIONS = (0, 1, 2)
# The oracle's caller for each caller of the bench.
ORACLE = {
    "anonymous": oracle.Caller("public"),
    "delegate": oracle.Caller("member", 0),
    "clerk": oracle.Caller("clerk"),
}
LEVEL = {oracle.FULL: 2, oracle.LISTED: 1, oracle.HIDDEN: 0}


def _combinations():
    return itertools.product(SERIES, MARKINGS, CLASSIFICATIONS, (False, True))


@pytest.fixture
def every_document(db):
    """One document per combination of facts, an observer's distribution included."""
    observer = DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)
    documents = {}
    for number, (series, (distribution, released), level, distributed) in enumerate(
        _combinations(), start=1
    ):
        document = Document(
            series=series, number=number, year=2024, date=datetime.date(2024, 1, 17),
            document_type="NOTE", originator="Presidency", recipients="Delegations",
            subject=f"Document {number}", distribution=distribution, classification=level,
        )  # fmt: skip
        if released:
            document.released_at = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
            document.release_reason = "act-adopted"
        document.save()
        if distributed:
            document.distributed_to.add(observer)
        documents[document.pk] = oracle.Facts(
            series=series, distribution=distribution, released=released, classification=level,
            distributed_to=frozenset({"NO"} if distributed else ()),
        )  # fmt: skip
    return documents


def _readers() -> dict:
    """The bench's callers as users of the application (the delegate of a member state and a
    registry clerk, neither cleared)."""
    roles_set_up()
    member = Delegation.objects.create(code="BE", name="Belgium", kind=DelegationKind.MEMBER_STATE)
    delegate, clerk = UserFactory(), UserFactory()
    UserProfile.objects.create(user=delegate, delegation=member)
    UserProfile.objects.create(user=clerk)
    user_role_set(user=clerk, role=Role.CLERK)
    users = type(delegate).objects
    return {
        "anonymous": AnonymousUser(),
        "delegate": users.get(pk=delegate.pk),
        "clerk": users.get(pk=clerk.pk),
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_the_floors_rule_on_documents_is_the_domains(every_document, caller):
    with connection.cursor() as cursor:
        cursor.execute(
            sql_for("SELECT d.id, {listed:d}, {readable:d} FROM documents_document d", caller)
        )
        found = {pk: (listed, readable) for pk, listed, readable in cursor.fetchall()}
    expected = {
        pk: (
            oracle.access(ORACLE[caller], facts) != oracle.HIDDEN,
            oracle.access(ORACLE[caller], facts) == oracle.FULL,
        )
        for pk, facts in every_document.items()
    }
    assert found == expected


@pytest.mark.parametrize("caller", CALLERS)
def test_the_floors_rule_on_documents_is_the_applications(every_document, caller):
    user = _readers()[caller]
    with connection.cursor() as cursor:
        cursor.execute(
            sql_for("SELECT d.id, {listed:d}, {readable:d} FROM documents_document d", caller)
        )
        rows = cursor.fetchall()

    assert {pk for pk, listed, _r in rows if listed} == set(
        Document.objects.visible_to(user).values_list("pk", flat=True)
    )
    assert {pk for pk, _l, readable in rows if readable} == set(
        Document.objects.readable_by(user).values_list("pk", flat=True)
    )


@pytest.fixture
def every_state(db):
    """One visibility state per combination of facts, and the state of public records."""
    observer = DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)
    states = {VisibilityState.objects.create(record=True).pk: None}
    for series, (distribution, released), level, distributed in _combinations():
        state = VisibilityState.objects.create(
            series=series, distribution=distribution, released=released, classification=level,
            distributed=f",{observer.pk}," if distributed else "",
        )  # fmt: skip
        states[state.pk] = oracle.Facts(
            series=series, distribution=distribution, released=released, classification=level,
            distributed_to=frozenset({"NO"} if distributed else ()),
        )  # fmt: skip
    return states


@pytest.mark.parametrize("caller", CALLERS)
def test_the_feed_floors_levels_of_states_are_the_domains_and_the_applications(every_state, caller):
    with connection.cursor() as cursor:
        cursor.execute(sql_for("SELECT s.id, {level:s} FROM documents_visibilitystate s", caller))
        found = dict(cursor.fetchall())
    expected = {
        pk: 2 if facts is None else LEVEL[oracle.access(ORACLE[caller], facts)]
        for pk, facts in every_state.items()
    }
    assert found == expected
    levels = state_levels(_readers()[caller])
    assert found == {pk: levels.level(pk) for pk in every_state}
