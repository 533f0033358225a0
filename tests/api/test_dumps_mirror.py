"""A new mirror starts from a dump and follows the changes feed from the dump's cursor: taken
while clerks write, the two together end exactly where the lists are."""

import datetime
import gzip
import json
import random
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from api.dumps.export import RESOURCES, dump_build
from api.dumps.store import MANIFEST
from documents.models import Body, Classification, Document, MeetingStatus, UserProfile
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
    procedure_create,
    procedure_event_add,
)
from documents.services.meetings import meeting_update
from documents.services.reference import reference_record_save
from tests.factories import BodyFactory, DelegationFactory, DocumentFactory, UserFactory

# The field each list keys its records by (the key the feed names them by), and their kind.
KEYS = {
    "documents": ("document", "slug"),
    "procedures": ("procedure", "slug"),
    "meetings": ("meeting", "key"),
    "bodies": ("body", "slug"),
    "subject-codes": ("subject-code", "code"),
    "delegations": ("delegation", "code"),
}
WRITERS = 3
BEFORE, AFTER = 15, 10  # changes written before the dumps start, and at least after they end
REFUSALS = ("ValidationError", "ProtectedError", "DoesNotExist", "IntegrityError")


def _person(role=None, delegation=None, clearance=0):
    user = UserFactory()
    UserProfile.objects.create(user=user, delegation=delegation, clearance=clearance)
    if role:
        user_role_set(user=user, role=role)
    return type(user).objects.get(pk=user.pk)


def client_for(user) -> APIClient:
    client = APIClient()
    if user.is_authenticated:
        client.force_authenticate(user)
    return client


def mirror_start(folder) -> tuple[dict, dict]:
    """What a new mirror holds once it has loaded a dump: records by (record, key)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    mirror = {}
    for entry in manifest["files"]:
        with gzip.open(folder / entry["name"], "rt", encoding="utf-8") as lines:
            for line in lines:
                data = json.loads(line)
                record, key = KEYS[entry["resource"]]
                mirror[record, data[key]] = data
    return manifest, mirror


def feed_follow(client, mirror: dict, cursor: str) -> int:
    """Apply the feed from ``cursor`` until caught up; the number of entries applied."""
    applied = 0
    while True:
        response = client.get(f"/api/v1/changes/?cursor={cursor}&page_size=7")
        assert response.status_code == 200, response.content
        page = response.json()
        for entry in page["results"]:
            if entry["action"] == "upsert":
                mirror[entry["record"], entry["key"]] = entry["data"]
            else:
                mirror.pop((entry["record"], entry["key"]), None)
        applied += len(page["results"])
        cursor = page["cursor"]
        if page["next"] is None:
            return applied


def lists_read(client) -> dict:
    listed = {}
    for resource in RESOURCES:
        record, key = KEYS[resource]
        url = f"/api/v1/{resource}/?page_size=500"
        while url:
            page = client.get(url).json()
            listed.update({(record, r[key]): r for r in page["results"]})
            url = page["next"]
    return listed


class Clerks:
    """Writers on connections of their own, registering, editing, releasing, withdrawing,
    classifying, deriving and deleting documents, filing them, putting them on agendas and
    timelines, moving and cancelling meetings and adding bodies, until told to stop."""

    def __init__(self, supervisor, officer, meetings, procedure) -> None:
        self.supervisor, self.officer = supervisor, officer
        self.meetings, self.procedure = meetings, procedure
        self.done = 0
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []

    def wait_for(self, done: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.done >= done or self.errors, timeout=120)

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for i in range(10_000):
                if self.stop.is_set():
                    return
                try:
                    self.operation(rng, f"{seed}-{i}", i)
                except Exception as refused:  # a refusal, or a document deleted meanwhile
                    if type(refused).__name__ not in REFUSALS:
                        raise
                    continue
                with self.changed:
                    self.done += 1
                    self.changed.notify_all()
        except BaseException as error:
            self.errors.append(error)
            with self.changed:
                self.changed.notify_all()
        finally:
            connection.close()

    def operation(self, rng, name: str, i: int) -> None:
        documents = list(Document.objects.filter(classification=0).order_by("?")[:3])
        action = rng.choice(["register", "register", "update", "release", "undo", "classify",
                             "derive", "agenda", "file", "delete", "cite", "move", "cancel",
                             "timeline", "body"])  # fmt: skip
        if action == "register" or not documents:
            DocumentFactory(
                series=rng.choice(["ST", "WK"]), distribution=rng.choice(["PUBLIC", "LIMITE"]),
                date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 3),
            )  # fmt: skip
            return
        target = documents[0]
        if action == "update":
            document_update(document=target, subject=f"edited {name}")
        elif action == "release":
            document_release(document=target, reason="act-adopted", released_by=self.supervisor)
        elif action == "undo":
            document_release_undo(document=target, reason="mistake", undone_by=self.supervisor)
        elif action == "classify":
            document_classify(
                document=target, classification=Classification.RESTREINT_UE,
                classified_by=self.officer,
            )  # fmt: skip
        elif action == "derive":
            document_derive(document=target, kind=rng.choice(["REV", "ADD", "COR"]))
        elif action == "agenda":
            agenda_item_add(
                meeting=rng.choice(self.meetings), title=f"item {name}", documents=documents[:2]
            )
        elif action == "file":
            document_file_add(
                document=target, language=rng.choice(["fr", "de", "nl"]),
                upload=ContentFile(b"text", name="t.txt"),
            )  # fmt: skip
        elif action == "delete":
            document_delete(document=target)
        elif action == "cite":  # cite a WK document, then register it: the citing one changes
            reference = f"WK {rng.randrange(1, 10**6)}/24"
            DocumentFactory(cites=[reference])
            DocumentFactory(reference=reference, distribution="LIMITE")
        elif action == "move":
            meeting_update(
                meeting=rng.choice(self.meetings),
                starts_at=timezone.now() + datetime.timedelta(hours=rng.randint(1, 99)),
            )
        elif action == "cancel":
            status = rng.choice([MeetingStatus.CANCELLED, MeetingStatus.PLANNED])
            meeting_update(meeting=rng.choice(self.meetings), status=status)
        elif action == "timeline":
            procedure_event_add(
                procedure=self.procedure, date=datetime.date(2024, 2, 1 + i % 28),
                title=f"event {name}", document=target,
            )  # fmt: skip
        else:
            reference_record_save(record=Body(name=f"Working Party {name}", kind="working-party"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_mirror_from_a_dump_taken_under_writes_and_the_feed_ends_equal_to_the_lists(settings):
    """GIVEN three clerks writing on connections of their own
    WHEN the public and the delegation dumps are taken meanwhile (four rows serialized at a time,
    so each spans many statements), and the clerks go on writing after
    THEN a mirror that loads each dump and follows the feed from the dump's cursor (as the
    public, and as a member-state delegate without clearance) holds exactly what the six lists
    give that caller, record by record and field by field."""
    settings.SITE_URL = "http://testserver"
    roles_set_up()
    supervisor = _person(Role.SUPERVISOR)
    officer = _person(Role.SECURITY_OFFICER, clearance=Classification.TRES_SECRET_UE)
    readers = {
        "public": AnonymousUser(),
        "delegation": _person(delegation=DelegationFactory(code="BE")),
    }
    body = BodyFactory()
    for n in range(4):
        DocumentFactory(distribution=["PUBLIC", "LIMITE"][n % 2])
    meetings = [meeting_create(body=body, starts_at=timezone.now()) for _ in range(2)]
    procedure = procedure_create(reference="2024/0001(COD)", title="A file", lead_body=body)
    clerks = Clerks(supervisor, officer, meetings, procedure)
    threads = [threading.Thread(target=clerks.run, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        clerks.wait_for(BEFORE)
        dumps = {audience: dump_build(audience=audience, batch_size=4) for audience in readers}
        clerks.wait_for(clerks.done + AFTER)
    finally:
        clerks.stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not clerks.errors, clerks.errors

    for audience, user in readers.items():
        client = client_for(user)
        manifest, mirror = mirror_start(dumps[audience].folder)
        applied = feed_follow(client, mirror, manifest["cursor"])
        listed = lists_read(client)

        assert len(listed) > 10, audience
        assert mirror == listed, audience
        if audience == "delegation":  # what the clerks wrote after the dump, it sees
            assert applied > 0
