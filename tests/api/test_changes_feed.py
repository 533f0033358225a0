"""The changes feed: in order, never skipping, each record once at its latest change the caller
may see, tombstones once, and nothing told of what the caller may not see."""

import datetime
import json
import random
import threading
import time

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from api.pagination import token_decode
from documents.models import (
    Classification,
    DelegationKind,
    Distribution,
    Document,
    MeetingStatus,
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
    meeting_create,
)
from documents.services.meetings import meeting_delete, meeting_update
from documents.services.procedures import procedure_create, procedure_event_add
from tests.api.test_documents_api import FULL, HIDDEN, KINDS, TABLE
from tests.factories import BodyFactory, DelegationFactory, DocumentFactory, UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None and user.is_authenticated:
        client.force_authenticate(user)
    return client


def feed(client, cursor: str | None = None, page_size: int = 500) -> dict:
    query = f"?cursor={cursor}&page_size={page_size}" if cursor else f"?page_size={page_size}"
    response = client.get(f"/api/v1/changes/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def replay_all(client, page_size: int = 500) -> list[dict]:
    """Every entry of the feed from the start, page by page."""
    entries, cursor = [], None
    while True:
        page = feed(client, cursor, page_size)
        entries += page["results"]
        cursor = page["cursor"]
        if page["next"] is None:
            return entries


def keys(entries, record="document") -> list[tuple[str, str]]:
    return [(e["key"], e["action"]) for e in entries if e["record"] == record]


def position(page) -> int:
    return token_decode("changes-feed-cursor", page["cursor"])["p"]


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
        "observer": person(delegation=DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)),
    }


def test_each_record_comes_once_at_its_latest_change_the_caller_sees(people):
    note = DocumentFactory(distribution=Distribution.LIMITE, subject="First subject")
    wk = DocumentFactory(series="WK", distribution=Distribution.LIMITE)
    document_update(document=note, updated_by=people["supervisor"], subject="Second subject")
    document_release(document=note, reason="act-adopted", released_by=people["supervisor"])

    delegate = feed(client_for(people["delegate"]))["results"]
    public = feed(APIClient())["results"]

    assert keys(delegate) == [(wk.slug, "upsert"), (note.slug, "upsert")]
    assert delegate[-1]["data"]["subject"] == "Second subject"
    assert delegate[-1]["data"]["public"] is True
    # The public never could see the WK document: not even that it changed.
    assert keys(public) == [(note.slug, "upsert")]
    assert all("id" not in e and "id" not in (e["data"] or {}) for e in public + delegate)
    assert delegate[-1]["url"] == f"http://testserver/api/v1/documents/{note.slug}/"


def test_the_feed_resumes_from_its_cursor_and_pages(people):
    documents = [DocumentFactory() for _ in range(5)]
    client = APIClient()

    first = feed(client, page_size=2)
    second = feed(client, first["cursor"], page_size=2)
    rest = feed(client, second["cursor"], page_size=2)
    done = feed(client, rest["cursor"], page_size=2)

    seen = [e["key"] for page in (first, second, rest) for e in page["results"]]
    assert seen == [d.slug for d in documents]
    assert f"?cursor={first['cursor']}&page_size=2" in first["next"]
    assert (rest["next"], done["results"], position(done)) == (None, [], position(rest))


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

    entries = {e["key"]: e for e in feed(APIClient())["results"]}

    assert entries[secret.slug]["action"] == "tombstone"
    assert entries[gone.slug]["action"] == "tombstone"
    assert entries[secret.slug]["data"] is None
    assert entries[secret.slug]["changed_at"] is None
    # Withdrawn: LIMITE again, so the public keeps only what the register lists of it.
    assert entries[withdrawn.slug]["action"] == "upsert"
    assert entries[withdrawn.slug]["data"]["public"] is False
    assert "originator" not in entries[withdrawn.slug]["data"]


def test_a_tombstone_is_sent_once_never_again_for_later_changes(people):
    """GIVEN a public document the public has mirrored, then classified WHEN it changes again
    (an officer edits it) THEN the public got one tombstone and nothing since."""
    client = APIClient()
    document = DocumentFactory(subject="Public at first")
    start = feed(client)["cursor"]
    document_classify(
        document=document, classification=Classification.RESTREINT_UE,
        classified_by=people["officer"],
    )  # fmt: skip
    tombstone = feed(client, start)

    for n in range(3):
        document_update(document=document, subject=f"Classified edit {n}")
    later = feed(client, tombstone["cursor"])

    assert keys(tombstone["results"]) == [(document.slug, "tombstone")]
    assert later["results"] == []
    assert feed(client, start)["results"] == tombstone["results"]


def test_page_size_tells_nothing_of_the_changes_hidden_between(people):
    """GIVEN 28 changes the public may not see between two public ones WHEN the public reads
    from one cursor with page sizes 1 to 4 THEN each page is as full as what is left to see."""
    client = APIClient()
    DocumentFactory(subject="Before")
    start = feed(client)["cursor"]
    wk = [DocumentFactory(series="WK", distribution=Distribution.LIMITE) for _ in range(14)]
    for document in wk:
        document_update(document=document, subject="Edited working paper")
    after = [DocumentFactory(subject=f"After {n}") for n in range(3)]

    sizes = [len(feed(client, start, page_size=size)["results"]) for size in (1, 2, 3, 4)]

    assert sizes == [1, 2, 3, 3]
    assert keys(feed(client, start, page_size=4)["results"]) == [(d.slug, "upsert") for d in after]


def test_a_limite_document_s_agenda_and_files_are_not_the_public_s_changes(people):
    """The public lists a LIMITE document (reference, date, type, subject): its agenda, files
    and other fields change nothing the public sees; its subject does, without a time."""
    note = DocumentFactory(distribution=Distribution.LIMITE, subject="Compromise text")
    meeting = meeting_create(body=BodyFactory(), starts_at=timezone.now())
    client, delegate = APIClient(), client_for(people["delegate"])
    start, delegate_start = feed(client)["cursor"], feed(delegate)["cursor"]

    document_file_add(document=note, language="fr", upload=ContentFile(b"t", name="t.txt"))
    document_update(document=note, originator="Commission")
    unseen = feed(client, start)
    seen_by_delegate = feed(delegate, delegate_start)
    document_update(document=note, subject="Revised compromise text")
    listed = feed(client, unseen["cursor"])

    assert unseen["results"] == []
    assert keys(seen_by_delegate["results"]) == [(note.slug, "upsert")]
    assert seen_by_delegate["results"][0]["changed_at"] is not None
    assert keys(listed["results"]) == [(note.slug, "upsert")]
    assert listed["results"][0]["changed_at"] is None
    assert listed["results"][0]["data"]["subject"] == "Revised compromise text"
    assert meeting.key  # the meeting was there all along


@pytest.mark.parametrize(
    ("query", "field"),
    [("cursor=-1", "cursor"), ("cursor=abc", "cursor"), ("page_size=0", "page_size"),
     ("page_size=501", "page_size"), ("after=3", "after"), ("limit=3", "limit"),
     ("cursor=%C2%B2", "cursor"), ("page_size=%C2%B2", "page_size")],
)  # fmt: skip
@pytest.mark.django_db
def test_bad_feed_parameters_are_a_400(query, field):
    response = APIClient().get(f"/api/v1/changes/?{query}")

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_feed_pages_cost_a_constant_number_of_queries(people):
    client = client_for(people["delegate"])
    meeting = meeting_create(body=BodyFactory(), starts_at=timezone.now())

    def queries_for(count: int) -> int:
        start = feed(client)["cursor"]
        for n in range(count):
            document = DocumentFactory(subject_codes=[], cites=["1234/99"])
            agenda_item_add(meeting=meeting, title=f"Item {n}", documents=[document])
            procedure_create(reference=f"2024/{count * 100 + n:04d}(COD)", title="A file")
        feed(client, start)  # positions handed out; the next read only reads
        with CaptureQueriesContext(connection) as captured:
            page = feed(client, start)
        assert len(page["results"]) == 2 * count + 1  # documents, procedures, the meeting
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_registering_a_cited_document_changes_the_citing_one_only_for_who_sees_it(people):
    """A public note cites WK 5/24 before it is registered. When it is, a delegate's view of
    the note gains the link; the public's view, ETag and feed do not change at all."""
    citing = DocumentFactory(cites=["WK 5/24"])
    public, delegate = APIClient(), client_for(people["delegate"])
    url = f"/api/v1/documents/{citing.slug}/"
    public_before, delegate_before = public.get(url), delegate.get(url)
    public_start, delegate_start = feed(public)["cursor"], feed(delegate)["cursor"]

    wk = DocumentFactory(reference="WK 5/24", distribution=Distribution.LIMITE)

    public_after, delegate_after = public.get(url), delegate.get(url)
    assert public_after.json() == public_before.json()
    assert public_after["ETag"] == public_before["ETag"]
    assert feed(public, public_start)["results"] == []
    assert delegate_after["ETag"] != delegate_before["ETag"]
    assert delegate_after.json()["cites"][0]["url"].endswith(f"/documents/{wk.slug}/")
    assert {e["key"] for e in feed(delegate, delegate_start)["results"]} == {wk.slug, citing.slug}


def test_changes_the_caller_may_not_see_do_not_move_the_cursor(people):
    """GIVEN a public reader up to date WHEN WK documents (never public) change THEN the feed
    shows nothing, and its cursor tells nothing: it has not moved."""
    client = APIClient()
    DocumentFactory(subject="Public note")
    before = feed(client)

    for _ in range(5):
        DocumentFactory(series="WK", distribution=Distribution.LIMITE)
    after = feed(client, before["cursor"])

    assert after["results"] == []
    assert after["next"] is None
    assert position(after) == position(before)
    assert after["cursor"] != before["cursor"]  # opaque: the same position never reads alike


def test_meetings_procedures_and_reference_data_are_in_the_feed(people):
    body = BodyFactory(name="Law Enforcement Working Party (Police)", abbreviation="LEWP (Police)")
    client = APIClient()
    start = feed(client)["cursor"]
    starts = datetime.datetime(2026, 6, 22, 10, tzinfo=datetime.UTC)
    meeting = meeting_create(body=body, starts_at=starts)
    moved = meeting_create(body=body, starts_at=starts + datetime.timedelta(days=7))
    gone = meeting_create(body=body, starts_at=starts + datetime.timedelta(days=14))
    meeting_update(meeting=moved, starts_at=starts + datetime.timedelta(days=8))
    meeting_update(meeting=meeting, status=MeetingStatus.CANCELLED)
    meeting_delete(meeting=gone)
    procedure = procedure_create(reference="2026/0001(COD)", title="A file", lead_body=body)
    procedure_event_add(procedure=procedure, date=datetime.date(2026, 1, 5), title="Proposal")

    entries = feed(client, start)["results"]
    by_key = {e["key"]: e for e in entries}

    assert meeting.key == "lewp-police-2026-06-22"
    assert by_key[meeting.key]["data"]["status"] == "cancelled"
    assert by_key[moved.key]["data"]["starts_at"] == "2026-06-30T10:00:00Z"
    assert moved.key == "lewp-police-2026-06-29"  # the key stays when the meeting moves
    assert by_key[gone.key]["action"] == "tombstone"
    assert by_key[procedure.slug]["data"]["events"][0]["title"] == "Proposal"
    assert by_key[procedure.slug]["record"] == "procedure"
    assert [e["record"] for e in entries].count("body") == 0  # created before the cursor


def test_an_agenda_document_shows_only_to_who_may_read_it(people):
    """Adding a LIMITE document to a meeting's agenda (nothing else) changes the meeting for a
    delegate only; the public sees the meeting unchanged, and its Last-Modified stays."""
    meeting = meeting_create(body=BodyFactory(), starts_at=timezone.now())
    agenda_item_add(meeting=meeting, title="Item")
    item = meeting.agenda_items.get()
    note = DocumentFactory(distribution=Distribution.LIMITE)
    public, delegate = APIClient(), client_for(people["delegate"])
    url = f"/api/v1/meetings/{meeting.key}/"
    public_before = public.get(url)
    public_start, delegate_start = feed(public)["cursor"], feed(delegate)["cursor"]

    from documents.services.meetings import agenda_item_links_set

    agenda_item_links_set(item=item, procedures=[], documents=[note], user=people["supervisor"])

    public_after = public.get(url)
    assert public_after.json() == public_before.json()
    assert public_after["ETag"] == public_before["ETag"]
    assert feed(public, public_start)["results"] == []
    meeting_entries = [
        e for e in feed(delegate, delegate_start)["results"] if e["key"] == meeting.key
    ]
    assert meeting_entries[0]["data"]["agenda"][0]["documents"][0]["reference"] == note.reference


@pytest.mark.parametrize("reader", TABLE)
def test_the_feed_shows_each_reader_exactly_what_the_table_allows(register, reader):
    """Replaying the feed gives each reader the same documents, in the same form, as the
    list; what they could see before and may not now is a bare tombstone."""
    client = client_for(register["readers"][reader])
    expected = dict(zip(KINDS, TABLE[reader], strict=True))
    documents = register["documents"]

    latest = {e["key"]: e for e in replay_all(client, page_size=3) if e["record"] == "document"}
    listed = {
        d["slug"]: d for d in client.get("/api/v1/documents/?page_size=500").json()["results"]
    }

    assert set(latest) == set(listed)
    for kind, access in expected.items():
        slug = documents[kind].slug
        if access == HIDDEN:  # never visible to this reader: no trace in the feed
            assert slug not in latest, kind
        else:
            assert latest[slug]["data"] == listed[slug], kind
            assert ("originator" in latest[slug]["data"]) == (access == FULL), kind


OPERATIONS = 25


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_mirrors_replaying_the_feed_under_concurrent_writes_end_identical(people):
    """GIVEN clerks registering, editing, deriving, releasing, withdrawing, classifying and
    deleting documents and changing meetings on 4 connections at once, while two mirrors (the
    public and a delegate) poll the feed on two more
    WHEN the writers are done and the mirrors have caught up
    THEN each mirror holds exactly what the lists show that caller, record by record and field
    by field (documents and meetings)."""
    supervisor, officer = people["supervisor"], people["officer"]
    seed_documents = [
        DocumentFactory(distribution=random.choice(["PUBLIC", "LIMITE"])) for _ in range(5)
    ]
    body = BodyFactory()
    meetings = [meeting_create(body=body, starts_at=timezone.now()) for _ in range(2)]
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()
    readers = {"anonymous": AnonymousUser(), "delegate": people["delegate"]}
    mirrors: dict[str, dict[tuple[str, str], dict]] = {name: {} for name in readers}
    cursors: dict[str, str | None] = dict.fromkeys(readers)

    def replay(name, client) -> None:
        while True:
            page = feed(client, cursors[name], page_size=20)
            for entry in page["results"]:
                if entry["action"] == "upsert":
                    mirrors[name][entry["record"], entry["key"]] = entry["data"]
                else:
                    mirrors[name].pop((entry["record"], entry["key"]), None)
            cursors[name] = page["cursor"]
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
                                     "cite", "move"])  # fmt: skip
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
                            meeting=rng.choice(meetings), title=f"item {seed}/{i}",
                            documents=[target],
                        )  # fmt: skip
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
                    elif action == "move":
                        meeting_update(
                            meeting=rng.choice(meetings),
                            starts_at=timezone.now() + datetime.timedelta(hours=rng.randint(1, 99)),
                        )
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

    def reader_loop(name) -> None:
        client = client_for(readers[name])
        try:
            while writing.is_set():
                replay(name, client)
                time.sleep(0.01)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    pollers = [threading.Thread(target=reader_loop, args=(name,)) for name in readers]
    for thread in [*pollers, *threads]:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    writing.clear()
    for poller in pollers:
        poller.join(timeout=60)
    assert not errors, errors

    for name, user in readers.items():
        client = client_for(user)
        replay(name, client)  # catch up on what was committed after the poller's last read
        listed = {}
        for resource, record, key in (("documents", "document", "slug"),
                                      ("meetings", "meeting", "key")):  # fmt: skip
            url = f"/api/v1/{resource}/?page_size=500"
            while url:
                page = client.get(url).json()
                listed.update({(record, item[key]): item for item in page["results"]})
                url = page["next"]
        mirrored = {k: v for k, v in mirrors[name].items() if k[0] in ("document", "meeting")}
        missing = sorted(set(listed) - set(mirrored))
        extra = sorted(set(mirrored) - set(listed))
        assert len(seed_documents) <= len(listed) == len(mirrored), (name, missing, extra)
        assert mirrored == listed, name


# --- the feed's shape tells nothing: equal visible histories give equal feeds --------------

# Operations the public sees, and operations it may not see. Those touch only WK documents and
# LIMITE documents that stay LIMITE ("kept"): what a later release makes public must not depend
# on them, or the two histories the test compares would not be equal.
VISIBLE = st.sampled_from(
    ["register-public", "register-kept", "register-to-release", "edit-subject", "release"]
)
HIDDEN_OPS = st.sampled_from(["register-wk", "edit-wk", "file-kept", "originator-kept"])


def _run(operations: list[str], supervisor) -> list[list[dict]]:
    """Apply ``operations`` in a transaction rolled back at the end; return the whole public
    feed as read at page sizes 1, 2, 3 and 7."""
    made: dict[str, list[Document]] = {"public": [], "kept": [], "to-release": [], "wk": []}
    seen = hidden = 0  # counters of each kind of operation, so that both runs name alike
    with (
        time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False),
        transaction.atomic(),
    ):
        for name in operations:
            if name in ("register-wk", "edit-wk", "file-kept", "originator-kept"):
                hidden += 1
                _hidden(name, made, hidden)
                continue
            seen += 1
            editable = made["public"] + made["kept"] + made["to-release"]
            if name.startswith("register-"):
                kind = name.removeprefix("register-")
                marking = Distribution.PUBLIC if kind == "public" else Distribution.LIMITE
                made[kind].append(DocumentFactory(distribution=marking, subject=f"Doc {seen}"))
            elif name == "edit-subject" and editable:
                document_update(document=editable[seen % len(editable)], subject=f"Edit {seen}")
            elif name == "release" and made["to-release"]:
                document = made["to-release"].pop(0)
                document_release(document=document, reason="act-adopted", released_by=supervisor)
                made["public"].append(document)
        cache.clear()  # the public's rate limit counts every page of every run
        pages = [replay_all(APIClient(), page_size=size) for size in (1, 2, 3, 7)]
        transaction.set_rollback(True)
    return pages


def _hidden(name: str, made: dict, n: int) -> None:
    if name == "register-wk" or (name == "edit-wk" and not made["wk"]):
        made["wk"].append(DocumentFactory(series="WK", distribution=Distribution.LIMITE))
    elif name == "edit-wk":
        document_update(document=made["wk"][-1], subject=f"WK edit {n}")
    elif made["kept"]:
        document = made["kept"][n % len(made["kept"])]
        if name == "originator-kept":
            document_update(document=document, originator=f"Originator {n}")
        else:
            language = ["fr", "de", "nl", "it", "es", "pt", "pl", "sv"][n % 8]
            if not document.files.filter(language=language).exists():
                document_file_add(
                    document=document, language=language, upload=ContentFile(b"t", name="t.txt")
                )


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    visible=st.lists(VISIBLE, min_size=1, max_size=6),
    hidden=st.lists(st.tuples(st.integers(0, 6), HIDDEN_OPS), max_size=8),
    other=st.lists(st.tuples(st.integers(0, 6), HIDDEN_OPS), max_size=8),
)
def test_equal_visible_histories_give_equal_feeds_whatever_is_hidden(
    people, visible, hidden, other
):
    """GIVEN the same operations the public sees, interleaved once with some operations it may
    not see and once with others WHEN the public replays the feed at page sizes 1, 2, 3, 7
    THEN every page of both runs is the same, byte for byte."""

    def interleave(extra):
        operations = list(visible)
        for index, name in sorted(extra, reverse=True):
            operations.insert(min(index, len(operations)), name)
        return operations

    first = _run(interleave(hidden), people["supervisor"])
    second = _run(interleave(other), people["supervisor"])

    as_bytes = [json.dumps(pages, sort_keys=True) for pages in (first, second)]
    assert as_bytes[0] == as_bytes[1]
    assert all(pages == first[0] for pages in first)  # page size changes nothing either
