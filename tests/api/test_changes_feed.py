"""The changes feed: in order, never skipping, tombstones for what a caller may no longer see."""

import datetime
import random
import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from api.feed_cursor import cursor_decode
from documents.models import (
    Classification,
    Distribution,
    Document,
    Meeting,
    UserProfile,
)
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import (
    agenda_item_add,
    document_classify,
    document_delete,
    document_derive,
    document_file_add,
    document_release,
    document_release_undo,
    document_update,
)
from tests.api.test_documents_api import FULL, HIDDEN, KINDS, TABLE
from tests.factories import BodyFactory, DelegationFactory, DocumentFactory, UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None and user.is_authenticated:
        client.force_authenticate(user)
    return client


def feed(client, after: str | None = None, limit: int = 500) -> dict:
    query = f"?after={after}&limit={limit}" if after else f"?limit={limit}"
    response = client.get(f"/api/v1/changes/{query}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def people(db):
    roles_set_up()

    def person(role=None, delegation=None, clearance=0):
        user = UserFactory()
        UserProfile.objects.create(user=user, delegation=delegation, clearance=clearance)
        if role:
            user_role_set(user=user, role=role)
        return type(user).objects.get(pk=user.pk)

    return {
        "supervisor": person(Role.SUPERVISOR),
        "officer": person(Role.SECURITY_OFFICER, clearance=Classification.TRES_SECRET_UE),
        "delegate": person(delegation=DelegationFactory(code="BE")),
    }


def test_feed_lists_every_change_in_order_as_the_caller_sees_it(people):
    note = DocumentFactory(distribution=Distribution.LIMITE, subject="First subject")
    wk = DocumentFactory(series="WK", distribution=Distribution.LIMITE)
    document_update(document=note, updated_by=people["supervisor"], subject="Second subject")
    document_release(document=note, reason="act-adopted", released_by=people["supervisor"])

    delegate = feed(client_for(people["delegate"]))
    public = feed(APIClient())

    assert [(c["document_id"], c["kind"]) for c in delegate["changes"]] == [
        (note.pk, "upsert"), (wk.pk, "upsert"), (note.pk, "upsert"), (note.pk, "upsert"),
    ]  # fmt: skip
    assert delegate["changes"][-1]["document"]["subject"] == "Second subject"
    assert delegate["changes"][-1]["document"]["public"] is True
    # The public never could see the WK document: not even that it changed, nor how often.
    assert [c["document_id"] for c in public["changes"]] == [note.pk] * 3
    assert all("position" not in c for c in public["changes"])
    assert cursor_decode(delegate["cursor"]) == 4


def test_feed_resumes_after_a_position_and_pages(people):
    documents = [DocumentFactory() for _ in range(5)]
    client = APIClient()

    first = feed(client, limit=2)
    second = feed(client, after=first["cursor"], limit=2)
    rest = feed(client, after=second["cursor"], limit=2)
    done = feed(client, after=rest["cursor"], limit=2)

    seen = [c["document_id"] for page in (first, second, rest) for c in page["changes"]]
    assert seen == [d.pk for d in documents]
    assert f"?after={first['cursor']}&limit=2" in first["next"]
    assert (rest["next"], done["changes"], cursor_decode(done["cursor"])) == (None, [], 5)


def test_documents_that_become_invisible_turn_into_tombstones(people):
    secret = DocumentFactory(subject="Soon classified")
    gone = DocumentFactory(subject="Soon deleted")
    withdrawn = DocumentFactory(distribution=Distribution.LIMITE, subject="Released, then not")
    document_release(document=withdrawn, reason="act-adopted", released_by=people["supervisor"])
    document_classify(
        document=secret, classification=Classification.SECRET_UE, classified_by=people["officer"]
    )
    document_delete(document=gone)
    document_release_undo(
        document=withdrawn, reason="wrong document", undone_by=people["supervisor"]
    )

    changes = feed(APIClient())["changes"]
    last = {c["document_id"]: c for c in changes}

    assert last[secret.pk]["kind"] == "tombstone"
    assert last[gone.pk]["kind"] == "tombstone"
    # Withdrawn: LIMITE again, so the public keeps only what the register lists of it.
    assert last[withdrawn.pk]["kind"] == "upsert"
    assert last[withdrawn.pk]["document"]["public"] is False
    assert "originator" not in last[withdrawn.pk]["document"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("after=-1", "after"), ("after=abc", "after"), ("limit=0", "limit"), ("limit=501", "limit"),
     ("since=3", "since"), ("after=%C2%B2", "after"), ("limit=%C2%B2", "limit")],
)  # fmt: skip
@pytest.mark.django_db
def test_bad_feed_parameters_are_a_400(query, field):
    response = APIClient().get(f"/api/v1/changes/?{query}")

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_feed_pages_cost_a_constant_number_of_queries(people):
    client = client_for(people["delegate"])

    def queries_for(count: int) -> int:
        after = feed(client)["cursor"]
        for _ in range(count):
            DocumentFactory(subject_codes=[], cites=["1234/99"])
        feed(client, after=after)  # positions handed out; the next read only reads
        with CaptureQueriesContext(connection) as captured:
            page = feed(client, after=after)
        assert len(page["changes"]) == count
        return len(captured)

    assert queries_for(3) == queries_for(30)


WRITERS = 4
OPERATIONS = 25


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reader", ["anonymous", "delegate"])
def test_a_mirror_replaying_the_feed_under_concurrent_writes_ends_identical(people, reader):
    """GIVEN clerks registering, editing, deriving, releasing, withdrawing and classifying
    documents on 4 connections at once, while a mirror polls the feed on a fifth
    WHEN the writers are done and the mirror has caught up
    THEN the mirror holds exactly what the document list shows that caller, document by
    document and field by field."""
    user = AnonymousUser() if reader == "anonymous" else people["delegate"]
    supervisor, officer = people["supervisor"], people["officer"]
    seed_documents = [
        DocumentFactory(distribution=random.choice(["PUBLIC", "LIMITE"])) for _ in range(5)
    ]
    meeting = Meeting.objects.create(body=BodyFactory(), starts_at=timezone.now())
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()
    mirror: dict[int, dict] = {}
    cursor = {"after": None}

    def replay(client) -> None:
        while True:
            page = feed(client, after=cursor["after"], limit=50)
            for change in page["changes"]:
                if change["kind"] == "upsert":
                    mirror[change["document_id"]] = change["document"]
                else:
                    mirror.pop(change["document_id"], None)
            cursor["after"] = page["cursor"]
            if page["next"] is None:
                return

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for i in range(OPERATIONS):
                documents = list(Document.objects.filter(classification=0).order_by("?")[:3])
                target = rng.choice(documents) if documents else None
                action = rng.choice(["register", "register", "update", "release", "undo",
                                     "classify", "derive", "agenda", "file", "delete",
                                     "cite"])  # fmt: skip
                try:
                    if action == "register" or target is None:
                        DocumentFactory(
                            series=rng.choice(["ST", "WK"]),
                            distribution=rng.choice(["PUBLIC", "LIMITE"]),
                            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
                        )
                    elif action == "update":
                        document_update(document=target, subject=f"edited {seed}/{i}")
                    elif action == "release":
                        document_release(
                            document=target, reason="act-adopted", released_by=supervisor
                        )
                    elif action == "undo":
                        document_release_undo(
                            document=target, reason="mistake", undone_by=supervisor
                        )
                    elif action == "classify":
                        document_classify(
                            document=target, classification=Classification.RESTREINT_UE,
                            classified_by=officer,
                        )  # fmt: skip
                    elif action == "agenda":
                        agenda_item_add(
                            meeting=meeting, title=f"item {seed}/{i}", documents=[target]
                        )
                    elif action == "file":
                        document_file_add(
                            document=target, language=rng.choice(["fr", "de", "nl"]),
                            upload=ContentFile(b"text", name="t.txt"),
                        )  # fmt: skip
                    elif action == "delete":
                        document_delete(document=target)
                    elif action == "cite":
                        # Cite a WK document, then register it: the citing one changes too.
                        wk_reference = f"WK {seed * 100 + i + 1}/24"
                        DocumentFactory(cites=[wk_reference])
                        DocumentFactory(reference=wk_reference, distribution="LIMITE")
                    else:
                        document_derive(document=target, kind=rng.choice(["REV", "ADD", "COR"]))
                except Exception as refused:
                    # A refusal is a normal outcome of a random operation, and so is acting on
                    # a document another writer has just deleted (the transaction rolls back).
                    refusals = ("ValidationError", "ProtectedError", "DoesNotExist",
                                "IntegrityError")  # fmt: skip
                    if type(refused).__name__ not in refusals:
                        raise
                time.sleep(rng.random() / 200)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def reader_loop() -> None:
        client = client_for(user)
        try:
            while writing.is_set():
                replay(client)
                time.sleep(0.01)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(WRITERS)]
    poller = threading.Thread(target=reader_loop)
    poller.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    writing.clear()
    poller.join(timeout=60)
    assert not errors, errors

    client = client_for(user)
    replay(client)  # catch up on what was committed after the poller's last read
    listed, url = {}, "/api/v1/documents/?page_size=500"
    while url:
        page = client.get(url).json()
        listed.update({item["id"]: item for item in page["results"]})
        url = page["next"]

    assert len(seed_documents) <= len(listed) == len(mirror)
    assert mirror == listed


@pytest.mark.parametrize("reader", TABLE)
def test_the_feed_shows_each_reader_exactly_what_the_table_allows(register, reader):
    """Replaying the feed gives each reader the same documents, in the same form, as the
    list; what they may not see is a bare tombstone."""
    client = client_for(register["readers"][reader])
    expected = dict(zip(KINDS, TABLE[reader], strict=True))
    documents = register["documents"]

    changes = feed(client)["changes"]
    latest = {c["document_id"]: c for c in changes}
    listed = {d["id"]: d for d in client.get("/api/v1/documents/?page_size=500").json()["results"]}

    for kind, access in expected.items():
        if access == HIDDEN:  # never visible to this reader: no trace in the feed
            assert documents[kind].pk not in latest, kind
        else:
            entry = latest[documents[kind].pk]
            assert entry["document"] == listed[documents[kind].pk], kind
            assert ("originator" in entry["document"]) == (access == FULL), kind
    # A document the reader could see, then could not: a tombstone.
    secret = documents["secret"]
    visible_before = DocumentFactory(subject="Soon secret")
    document_classify(
        document=visible_before, classification=Classification.SECRET_UE,
        classified_by=_officer(),
    )  # fmt: skip
    again = {c["document_id"]: c for c in feed(client)["changes"]}
    assert again[visible_before.pk]["kind"] == ("upsert" if reader == "cleared" else "tombstone")
    assert secret.pk not in again or expected["secret"] != HIDDEN


def test_registering_a_cited_document_is_a_change_of_the_documents_citing_it(people):
    citing = DocumentFactory(cites=["WK 5/24"])
    client = client_for(people["delegate"])
    after = feed(client)["cursor"]

    wk = DocumentFactory(reference="WK 5/24", distribution=Distribution.LIMITE)

    changes = feed(client, after=after)["changes"]
    assert {c["document_id"] for c in changes} == {wk.pk, citing.pk}


def _officer():
    user = UserFactory()
    UserProfile.objects.create(user=user, clearance=Classification.TRES_SECRET_UE)
    user_role_set(user=user, role=Role.SECURITY_OFFICER)
    return type(user).objects.get(pk=user.pk)


def test_changes_the_caller_may_not_see_do_not_move_the_cursor(people):
    """GIVEN a public reader up to date WHEN WK documents (never public) change THEN the feed
    shows nothing, and its cursor tells nothing: it has not moved."""
    client = APIClient()
    DocumentFactory(subject="Public note")
    before = feed(client)

    for _ in range(5):
        DocumentFactory(series="WK", distribution=Distribution.LIMITE)
    after = feed(client, after=before["cursor"])

    assert after["changes"] == []
    assert after["next"] is None
    assert cursor_decode(after["cursor"]) == cursor_decode(before["cursor"])
    assert after["cursor"] != before["cursor"]  # opaque: the same position never reads alike
