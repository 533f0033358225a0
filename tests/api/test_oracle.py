"""Every door against the plain statement of the rule (tests/oracle.py), on generated registers.

Hypothesis generates documents (every series, marking, release, classification level and
explicit distribution, versions of each other, citations, agendas, timelines, files) and
callers (the public, member-state delegates and observers at every clearance, a clerk, a
security officer), and asks each door what the caller gets: the list, the detail, the file,
a version's parent, the citations, the agenda, the timeline and the changes feed. Each answer
is compared with ``tests.oracle.access``, never with another door.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from documents.models import DelegationKind, Distribution, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import (
    agenda_item_add,
    document_derive,
    document_file_add,
    document_release,
    document_update,
    meeting_create,
    procedure_event_add,
)
from tests import oracle
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    DocumentFactory,
    ProcedureFactory,
    UserFactory,
)

SERIES = ["ST", "WK", "CM", "SN", "DS", "PE-CONS"]
DELEGATIONS = {"BE": DelegationKind.MEMBER_STATE, "NO": DelegationKind.OBSERVER,
               "IS": DelegationKind.OBSERVER}  # fmt: skip


@st.composite
def documents(draw, index: int):
    series = draw(st.sampled_from(SERIES))
    distribution = draw(st.sampled_from([Distribution.PUBLIC, Distribution.LIMITE]))
    classification = draw(st.sampled_from([0, 0, 0, 1, 2, 3, 4]))
    released = distribution == Distribution.LIMITE and not classification and draw(st.booleans())
    return {
        "series": series,
        "distribution": distribution,
        "classification": classification,
        "released": released,
        "distributed_to": draw(st.sets(st.sampled_from(sorted(DELEGATIONS)), max_size=2)),
        "parent": draw(st.none() | st.integers(0, index - 1)) if index else None,
        "cites": draw(st.sets(st.integers(0, 7), max_size=2)),
        "agenda": draw(st.booleans()),
        "event": draw(st.booleans()),
    }


@st.composite
def registers(draw):
    size = draw(st.integers(2, 7))
    return [draw(documents(index)) for index in range(size)]


CALLERS = st.lists(
    st.one_of(
        st.just(oracle.Caller("public")),
        st.builds(oracle.Caller, st.just("member"), st.integers(0, 4), st.just("BE")),
        st.builds(
            oracle.Caller, st.just("observer"), st.integers(0, 2), st.sampled_from(["NO", "IS"])
        ),
        st.just(oracle.Caller("clerk")),
        st.builds(oracle.Caller, st.just("officer"), st.integers(0, 4)),
    ),
    min_size=2,
    max_size=3,
    unique=True,
)


def _user(caller: oracle.Caller, delegations):
    if caller.kind == "public":
        return AnonymousUser()
    user = UserFactory()
    delegation = delegations.get(caller.delegation)
    UserProfile.objects.create(user=user, delegation=delegation, clearance=caller.clearance)
    if caller.kind in ("clerk", "officer"):
        user_role_set(
            user=user, role=Role.CLERK if caller.kind == "clerk" else Role.SECURITY_OFFICER
        )
    return type(user).objects.get(pk=user.pk)


def _build(specs, supervisor, delegations):
    """Register the generated documents through the services, as clerks would."""
    made, body = [], BodyFactory()
    for n, spec in enumerate(specs):
        markings = {"distribution": spec["distribution"], "classification": spec["classification"]}
        parent = made[spec["parent"]] if spec["parent"] is not None else None
        to = [delegations[code] for code in sorted(spec["distributed_to"])]
        if parent is not None and parent.series == spec["series"]:
            document = document_derive(document=parent, kind="REV", **markings, distributed_to=to)
        else:
            document = DocumentFactory(
                series=spec["series"], date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
                distributed_to=to, **markings,
            )  # fmt: skip
        made.append(document)
    for document, spec in zip(made, specs, strict=True):
        cited = [made[i].reference for i in sorted(spec["cites"]) if i < len(made)]
        document_update(document=document, cites=[*cited, "1234/99"])
        if spec["released"]:
            document_release(document=document, reason="act-adopted", released_by=supervisor)
        if not spec["classification"]:
            document_file_add(
                document=document, language="en", upload=ContentFile(b"t", name="t.txt")
            )
    meeting = meeting_create(body=body, starts_at=timezone.now())
    agenda_item_add(
        meeting=meeting,
        title="Item",
        documents=[d for d, s in zip(made, specs, strict=True) if s["agenda"]],
    )
    procedure = ProcedureFactory()
    for n, (document, spec) in enumerate(zip(made, specs, strict=True)):
        if spec["event"]:
            procedure_event_add(
                procedure=procedure, date=datetime.date(2024, 2, 1) + datetime.timedelta(days=n),
                title=f"Event {n}", document=document,
            )  # fmt: skip
    for document in made:
        document.refresh_from_db()
    return made, meeting, procedure


def _check(caller, user, made, specs, meeting, procedure) -> None:
    client = APIClient()
    if user.is_authenticated:
        client.force_authenticate(user)
    access = {d.slug: oracle.access(caller, oracle.facts_of(d)) for d in made}
    by_slug = {d.slug: d for d in made}
    listed = {
        d["slug"]: d for d in client.get("/api/v1/documents/?page_size=500").json()["results"]
    }
    # The list: exactly what the caller may see, each in its form.
    assert set(listed) == {slug for slug, a in access.items() if a != oracle.HIDDEN}, caller
    for slug, expected in access.items():
        detail = client.get(f"/api/v1/documents/{slug}/")
        download = client.get(f"/api/v1/documents/{slug}/files/en/")
        if expected == oracle.HIDDEN:
            assert detail.status_code == 404, (caller, slug)
            assert download.status_code == 404, (caller, slug)
            continue
        shown = detail.json()
        assert shown == listed[slug], (caller, slug)
        assert ("originator" in shown) == (expected == oracle.FULL), (caller, slug)
        assert shown["public"] is oracle.is_public(by_slug[slug]), (caller, slug)
        has_file = not by_slug[slug].classification
        assert download.status_code == (200 if expected == oracle.FULL and has_file else 404)
        if expected != oracle.FULL:
            continue
        # A version's parent: named only when the caller may see it.
        parent = by_slug[slug].parent
        parent_seen = parent is not None and access[parent.slug] != oracle.HIDDEN
        assert (shown["parent"] is not None) == parent_seen, (caller, slug)
        # Citations: every reference as written, a link only to what the caller may see.
        for citation in shown["cites"]:
            target = next((d for d in made if d.reference == citation["reference"]), None)
            seen = target is not None and access[target.slug] != oracle.HIDDEN
            assert (citation["url"] is not None) == seen, (caller, slug, citation)
    # The agenda and the timeline: only documents the caller may read in full.
    agenda = client.get(f"/api/v1/meetings/{meeting.key}/").json()["agenda"][0]["documents"]
    assert {link["reference"] for link in agenda} == {
        d.reference
        for d, s in zip(made, specs, strict=True)
        if s["agenda"] and access[d.slug] == oracle.FULL
    }, caller
    events = client.get(f"/api/v1/procedures/{procedure.slug}/").json()["events"]
    assert {e["document"]["reference"] for e in events if e["document"]} == {
        d.reference
        for d, s in zip(made, specs, strict=True)
        if s["event"] and access[d.slug] == oracle.FULL
    }, caller
    # The feed, replayed from the start: the list, record for record.
    mirror, cursor = {}, None
    while True:
        query = f"?cursor={cursor}&page_size=2" if cursor else "?page_size=2"
        page = client.get(f"/api/v1/changes/{query}").json()
        for entry in page["results"]:
            if entry["record"] == "document":
                if entry["action"] == "upsert":
                    mirror[entry["key"]] = entry["data"]
                else:
                    mirror.pop(entry["key"], None)
        cursor = page["cursor"]
        if page["next"] is None:
            break
    assert mirror == listed, caller


@pytest.fixture
def world(db):
    roles_set_up()
    supervisor = UserFactory()
    user_role_set(user=supervisor, role=Role.SUPERVISOR)
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    delegations = {
        code: DelegationFactory(code=code, kind=kind) for code, kind in DELEGATIONS.items()
    }
    return supervisor, delegations


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(specs=registers(), callers=CALLERS)
def test_every_door_answers_as_the_rule_says(world, specs, callers):
    supervisor, delegations = world
    with transaction.atomic():
        made, meeting, procedure = _build(specs, supervisor, delegations)
        for caller in callers:
            cache.clear()  # rate limits count every request of every example
            _check(caller, _user(caller, delegations), made, specs, meeting, procedure)
        transaction.set_rollback(True)
