"""Dumps of the register (``manage.py export_register``): complete, consistent, what the
audience's lists give and nothing more, published atomically, served with their digests.

An export reads one snapshot of its own and refuses to run inside a transaction, so these
tests read a register committed once for the module (``committed``), outside any test
transaction; the database is emptied after the module, as after a transactional test.
"""

import base64
import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from api.dumps.export import AUDIENCES, RESOURCES, ExportError, dump_build, reader_of
from api.dumps.store import LATEST, MANIFEST
from api.pagination import token_decode
from api.tasks import public_dump_rebuild
from documents.models import Document
from documents.querysets import Audience, AudienceKind
from tests import oracle
from tests.api.conftest import register_create

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _site(settings):
    """The lines' absolute URLs are the site's: here, the test client's."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture(scope="module")
def _committed(django_db_setup, django_db_blocker, tmp_path_factory):
    """The register of the API tests (a document of every kind of the visibility table,
    linked from a procedure and a meeting, a reader of each kind), committed once."""
    with django_db_blocker.unblock():
        try:
            with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
                yield register_create()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def committed(_committed, django_db_blocker):
    """The committed register; the test reads and exports in autocommit, as a command does."""
    with django_db_blocker.unblock():
        yield _committed


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None and user.is_authenticated:
        client.force_authenticate(user)
    return client


def dump_read(folder: Path) -> tuple[dict, dict[str, list[dict]]]:
    """The manifest of a dump, and the records of each of its files."""
    manifest = json.loads((folder / MANIFEST).read_text())
    records = {}
    for entry in manifest["files"]:
        with gzip.open(folder / entry["name"], "rt", encoding="utf-8") as lines:
            records[entry["resource"]] = [json.loads(line) for line in lines]
    return manifest, records


def list_read(client, resource: str) -> list[dict]:
    """Every record of one API list, page by page."""
    results, url = [], f"/api/v1/{resource}/?page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        results += response.json()["results"]
        url = response.json()["next"]
    return results


def audience_readers(committed) -> dict:
    return {"public": AnonymousUser(), "delegation": committed["readers"]["delegate"]}


# --- what a dump holds --------------------------------------------------------------------------


def test_each_line_is_what_the_audience_s_list_gives_in_the_list_s_order(committed):
    """GIVEN a register with a document of every kind of the visibility table, linked from a
    procedure and a meeting WHEN the public and the delegation dumps are taken, three rows
    at a time THEN each file holds, line for line and in order, what the list gives the
    public and a member-state delegate without clearance."""
    for audience, user in audience_readers(committed).items():
        dump = dump_build(audience=audience, batch_size=3)
        _manifest, records = dump_read(dump.folder)
        client = client_for(user)

        assert set(records) == set(RESOURCES)
        for resource, lines in records.items():
            assert lines == list_read(client, resource), (audience, resource)
        assert records["documents"], audience


def test_manifest_counts_sizes_and_digests_match_the_files(committed):
    dump = dump_build(audience="delegation")
    manifest = dump.manifest

    assert json.loads((dump.folder / MANIFEST).read_text()) == manifest
    assert [entry["name"] for entry in manifest["files"]] == [
        f"{resource}.jsonl.gz" for resource in RESOURCES
    ]
    assert sorted(path.name for path in dump.folder.iterdir()) == sorted(
        [MANIFEST, *(entry["name"] for entry in manifest["files"])]
    )
    for entry in manifest["files"]:
        content = (dump.folder / entry["name"]).read_bytes()
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["records"] == len(gzip.decompress(content).splitlines())
    assert manifest["audience"] == "delegation"
    assert manifest["api_version"] == django_settings.SPECTACULAR_SETTINGS["VERSION"]
    assert manifest["format"] == 1
    assert manifest["created_at"].endswith("Z")
    # The feed's own cursor form, at the last position handed out.
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(position) FROM documents_change")
        last = cursor.fetchone()[0]
    assert token_decode("changes-feed-cursor", manifest["cursor"]) == {"p": last}


def test_the_public_dump_holds_only_what_the_plain_rule_lets_the_public_see(committed):
    """Checked against tests/oracle.py, not the application's rule: no WK, no classified
    document, LIMITE documents only as the public register lists them; agendas and
    timelines name only documents the public may read."""
    _manifest, records = dump_read(dump_build(audience="public").folder)
    public = oracle.Caller("public")
    stored = {d.slug: d for d in Document.objects.prefetch_related("distributed_to")}
    expected = {
        slug: oracle.access(public, oracle.facts_of(d))
        for slug, d in stored.items()
        if oracle.access(public, oracle.facts_of(d)) != oracle.HIDDEN
    }
    full_only = {slug for slug, access in expected.items() if access == oracle.FULL}
    listing_fields = {
        "url", "reference", "cover_reference", "slug", "series", "number", "year", "suffix",
        "date", "document_type", "subject", "distribution", "public",
    }  # fmt: skip

    documents = {line["slug"]: line for line in records["documents"]}
    assert set(documents) == set(expected)
    assert committed["documents"]["wk"].slug not in documents
    assert committed["documents"]["secret"].slug not in documents
    for slug, line in documents.items():
        if expected[slug] == oracle.LISTED:
            assert set(line) == listing_fields, slug
        else:
            assert "originator" in line, slug
    named = [
        link["url"].rstrip("/").rsplit("/", 1)[-1]
        for meeting in records["meetings"]
        for item in meeting["agenda"]
        for link in item["documents"]
    ] + [
        event["document"]["url"].rstrip("/").rsplit("/", 1)[-1]
        for procedure in records["procedures"]
        for event in procedure["events"]
        if event["document"]
    ]
    assert named
    assert set(named) <= full_only


def test_the_delegation_dump_is_a_member_state_delegate_without_clearance(committed):
    """The in-memory reader is read by the rule as a member-state delegate with no clearance
    (and is nobody: no account stands behind it); its dump has WK and LIMITE documents in
    full, and no classified one."""
    assert Audience.of(reader_of("delegation")) == Audience(AudienceKind.DELEGATION)
    _manifest, records = dump_read(dump_build(audience="delegation").folder)
    member = oracle.Caller("member")

    documents = {line["slug"]: line for line in records["documents"]}
    for document in Document.objects.prefetch_related("distributed_to"):
        access = oracle.access(member, oracle.facts_of(document))
        assert (document.slug in documents) == (access != oracle.HIDDEN), document.slug
    assert "originator" in documents[committed["documents"]["wk"].slug]
    assert committed["documents"]["secret"].slug not in documents


# --- running it ---------------------------------------------------------------------------------


def _without_times(manifest: dict) -> dict:
    cursor = token_decode("changes-feed-cursor", manifest["cursor"])
    return {**manifest, "id": None, "created_at": None, "cursor": cursor}


def test_a_second_run_with_nothing_changed_gives_the_same_dump(committed):
    """Byte for byte the same files (no time or name in the gzip header), the same manifest
    but for its times and the cursor's encryption (the same position); the latest is the
    second, and no more than the two latest dumps are kept."""
    first = dump_build(audience="public")
    second = dump_build(audience="public")

    assert _without_times(first.manifest) == _without_times(second.manifest)
    for entry in first.manifest["files"]:
        assert (first.folder / entry["name"]).read_bytes() == (
            second.folder / entry["name"]
        ).read_bytes()
    latest = Path(django_settings.DUMPS_ROOT) / "public" / LATEST
    assert latest.resolve() == second.folder

    third = dump_build(audience="public")
    kept = sorted(p.name for p in latest.parent.iterdir() if p.name != LATEST)
    assert kept == sorted(d.manifest["id"] for d in (second, third))
    assert latest.resolve() == third.folder


def test_the_command_publishes_or_writes_to_a_new_folder(committed, tmp_path, capsys):
    call_command("export_register", "--audience", "public")
    published = Path(capsys.readouterr().out.strip())
    output = tmp_path / "handover" / "be"
    call_command("export_register", "--audience", "delegation", "--output", str(output))

    assert published == (Path(django_settings.DUMPS_ROOT) / "public" / LATEST).resolve()
    assert json.loads((output / MANIFEST).read_text())["audience"] == "delegation"
    assert sorted(p.name for p in output.parent.iterdir()) == ["be"]  # nothing left aside
    with pytest.raises(CommandError, match=f"{output} exists and is not an empty folder"):
        call_command("export_register", "--audience", "delegation", "--output", str(output))


def test_an_unknown_audience_is_a_command_error_naming_it():
    with pytest.raises(CommandError, match="invalid choice: 'everybody'"):
        call_command("export_register", "--audience", "everybody")
    with pytest.raises(CommandError, match="--audience"):
        call_command("export_register")


@pytest.mark.slow
def test_an_unknown_audience_exits_with_status_2_naming_it():
    result = subprocess.run(
        [sys.executable, "manage.py", "export_register", "--audience", "everybody"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 2
    assert "invalid choice: 'everybody'" in result.stderr


@pytest.mark.django_db
def test_an_export_inside_a_transaction_is_refused():
    """Inside a transaction already begun (READ COMMITTED) the dump could not be one
    snapshot: refused, nothing written."""
    with pytest.raises(ExportError, match="outside a transaction"):
        dump_build(audience="public")
    assert not Path(django_settings.DUMPS_ROOT).exists()


def test_while_one_export_runs_another_of_the_audience_does_nothing(committed):
    """GIVEN another process exporting the public dump (holding its lock, on a connection of
    its own) WHEN beat's job runs THEN it publishes nothing and fails nothing; the delegation
    dump is not held up; once the other is done, the job publishes."""
    database = connection.settings_dict
    other = psycopg.connect(
        host=database["HOST"] or "127.0.0.1", port=database["PORT"] or 5432,
        user=database["USER"], password=database["PASSWORD"] or None, dbname=database["NAME"],
        autocommit=True,
    )  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(7100453, %s)", [AUDIENCES.index("public")])
        assert public_dump_rebuild() is None
        with pytest.raises(ExportError, match="another export of the public dump is running"):
            dump_build(audience="public")
        assert not (Path(django_settings.DUMPS_ROOT) / "public" / LATEST).exists()
        dump_build(audience="delegation")
        other.execute("SELECT pg_advisory_unlock(7100453, %s)", [AUDIENCES.index("public")])
    finally:
        other.close()

    dump_id = public_dump_rebuild()
    assert (Path(django_settings.DUMPS_ROOT) / "public" / LATEST).resolve().name == dump_id


def test_beat_rebuilds_the_public_dump_daily_by_default():
    from tracker.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["public-dump"]

    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].run is public_dump_rebuild.run
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour) == ({30}, {2})
    assert schedule.day_of_week == set(range(7))
    assert schedule.day_of_month == set(range(1, 32))


# --- served ----------------------------------------------------------------------------------


def test_the_index_and_files_of_the_latest_public_dump_are_served(committed):
    dump_build(audience="delegation")  # written for operators, never served
    client = APIClient()
    assert client.get("/api/v1/dumps/").status_code == 404
    dump = dump_build(audience="public")

    response = client.get("/api/v1/dumps/")
    assert response.status_code == 200
    index = response.json()
    assert index["audience"] == "public"
    assert index["cursor"] == dump.manifest["cursor"]
    assert index["changes_url"] == f"http://testserver/api/v1/changes/?cursor={index['cursor']}"
    assert client.get(index["changes_url"]).status_code == 200
    assert index["manifest_url"] == "http://testserver/api/v1/dumps/manifest.json"
    assert client.get(index["manifest_url"]).getvalue() == (dump.folder / MANIFEST).read_bytes()
    for entry in index["files"]:
        assert entry["url"] == f"http://testserver/api/v1/dumps/{entry['name']}"
        response = client.get(entry["url"])
        content = response.getvalue()
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
        assert response.status_code == 200
        assert content == (dump.folder / entry["name"]).read_bytes()
        assert response["Content-Type"] == "application/gzip"
        assert "Content-Encoding" not in response
        assert response["Repr-Digest"] == f"sha-256=:{digest}:"
        assert response["ETag"] == f'"{entry["sha256"]}"'
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        again = client.get(entry["url"], headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304
    etag = client.get("/api/v1/dumps/")["ETag"]
    assert client.get("/api/v1/dumps/", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/dumps/nothing.jsonl.gz", 404),
        ("/api/v1/dumps/%00", 404),
        ("/api/v1/dumps/documents.jsonl.gz%00", 404),
        ("/api/v1/dumps/..%2F..%2Fsettings.py", 404),
        ("/api/v1/dumps/documents.jsonl.gz/", 404),
        ("/api/v1/dumps/documents.jsonl.gz?page_size=3", 400),
        ("/api/v1/dumps/?cursor=3", 400),
    ],
)
def test_unknown_files_and_odd_input_are_json_errors(committed, path, status):
    dump_build(audience="public")

    response = APIClient().get(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == status


def test_a_half_written_dump_is_never_served_and_is_cleared_by_the_next_run(committed):
    """A run that died left its temporary folder beside the published dumps, and a host
    whose clock ran ahead named a dump in the future: the index serves the latest complete
    dump, and the next run keeps only itself and the one before, whatever their names."""
    dump = dump_build(audience="public")
    leftover = Path(django_settings.DUMPS_ROOT) / "public" / ".tmp-died"
    leftover.mkdir()
    (leftover / "documents.jsonl.gz").write_bytes(b"half")
    future = Path(django_settings.DUMPS_ROOT) / "public" / "29991231T000000000000Z"
    future.mkdir()

    assert APIClient().get("/api/v1/dumps/").json()["id"] == dump.manifest["id"]
    latest = dump_build(audience="public")
    assert sorted(p.name for p in future.parent.iterdir()) == sorted(
        [LATEST, dump.manifest["id"], latest.manifest["id"]]
    )
    assert APIClient().get("/api/v1/dumps/").json()["id"] == latest.manifest["id"]
