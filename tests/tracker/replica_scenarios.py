"""What the replica test does with the private pair, run in a process of its own.

The settings are read once per process, and these need ``DATABASE_URL`` on the private primary
and ``DATABASE_REPLICA_URLS`` on its replica, so tests/tracker/test_replicas.py runs each
scenario as ``python -m tests.tracker.replica_scenarios NAME`` and asserts on what it prints:
one line ``SCENARIO {json}`` of observations (which database served which statements, what
the caller got, what the router logged). Nothing is asserted here.
"""
# ruff: noqa: E402

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

import json
import logging
import random
import threading
import time
from contextlib import ExitStack, contextmanager

import psycopg
from django.conf import settings
from django.db import connection, connections, router
from django.db.backends.signals import connection_created
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from rest_framework.test import APIClient

from documents.models import Document, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from tests.documents.test_admin import ADD, CHANGELIST, MODEL_BACKEND, register_form
from tests.factories import DocumentFactory, UserFactory
from tracker.db_router import STICKY_COOKIE, health, replica_reads

REPLICA = "replica_1"
LIST = "/api/v1/documents/?page_size=500"


class Recorded(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


LOG = Recorded()
logging.getLogger("tracker.db_router").addHandler(LOG)


@contextmanager
def served():
    """Counts the statements each database runs inside (the router's own checks aside)."""
    counts = dict.fromkeys(settings.DATABASES, 0)

    def recorder(alias):
        def wrapper(execute, sql, params, many, context):
            if "pg_current_wal_lsn" not in sql and "pg_is_in_recovery" not in sql:
                counts[alias] += 1
            return execute(sql, params, many, context)

        return wrapper

    with ExitStack() as stack:
        for alias in counts:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield counts


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def wait_replayed(timeout: float = 30) -> None:
    """Waits until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while True:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(lsn)])
            if cursor.fetchone()[0]:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the replica did not replay up to {lsn} in {timeout} s")
        time.sleep(0.05)


@contextmanager
def replay_paused():
    """The replica keeps answering but replays nothing written meanwhile."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def listed(client) -> tuple[int, list[str], dict[str, int]]:
    """The document list as ``client`` gets it: status, subjects, statements per database."""
    with served() as counts:
        response = client.get(LIST)
    subjects = sorted(d["subject"] for d in response.json()["results"])
    return response.status_code, subjects, counts


# --------------------------------------------------------------------------- scenarios


def reads() -> dict:
    for subject in ("Replicated A", "Replicated B", "Replicated C"):
        DocumentFactory(subject=subject, distribution="PUBLIC")
    wait_replayed()
    with replica_reads():
        read_alias = router.db_for_read(Document)
        write_alias = router.db_for_write(Document)
    status, subjects, counts = listed(APIClient())
    return {
        "read_alias": read_alias, "read_in_recovery": in_recovery(read_alias),
        "write_alias": write_alias, "write_in_recovery": in_recovery(write_alias),
        "status": status, "subjects": subjects, "statements": counts,
    }  # fmt: skip


def sticky() -> dict:
    roles_set_up()
    clerk = UserFactory()
    UserProfile.objects.create(user=clerk)
    user_role_set(user=clerk, role=Role.CLERK)
    browser = Client()
    browser.force_login(clerk, backend=MODEL_BACKEND)
    wait_replayed()  # the replica knows the clerk and the session, not what comes next
    seen = {}
    with replay_paused(), override_settings(DATABASE_REPLICA_MAX_LAG_SECONDS=3600):
        health.forget()
        with replica_reads():  # one request: a write, then a read
            written = DocumentFactory(subject="Written, then read")
            with served() as counts:
                seen["same_request"] = Document.objects.filter(pk=written.pk).exists()
            seen["same_request_statements"] = counts
        with replica_reads():  # the next request, from a caller that did not write
            with served() as counts:
                seen["next_request"] = Document.objects.filter(pk=written.pk).exists()
            seen["next_request_statements"] = counts

        with served() as counts:  # a POST that reads and writes nothing: no action chosen
            response = browser.post(CHANGELIST, {"q": "Written, then read"})
        seen["post_reading"] = (response.status_code, STICKY_COOKIE in response.cookies)
        seen["post_reading_statements"] = counts
        response = browser.post(ADD, register_form(subject="Registered at the desk"))
        seen["post_status"] = response.status_code
        cookie = response.cookies.get(STICKY_COOKIE)
        seen["cookie_max_age"] = cookie["max-age"] if cookie else None
        for case in ("with_cookie", "without_cookie"):
            if case == "without_cookie":
                del browser.cookies[STICKY_COOKIE]
            with served() as counts:
                page = browser.get(CHANGELIST, {"q": "Registered at the desk"})
            seen[case] = [d.subject for d in page.context["cl"].result_list]
            seen[f"{case}_statements"] = counts
    wait_replayed()
    with served() as counts:
        page = browser.get(CHANGELIST, {"q": "Registered at the desk"})
    seen["after_catch_up"] = [d.subject for d in page.context["cl"].result_list]
    seen["after_catch_up_statements"] = counts
    return seen


def lagging() -> dict:
    DocumentFactory(subject="Replayed before the pause", distribution="PUBLIC")
    wait_replayed()
    client = APIClient()
    seen = {}
    # Any lag at all is too much here: the replica is behind from the first write on.
    with replay_paused(), override_settings(DATABASE_REPLICA_MAX_LAG_SECONDS=0):
        health.forget()
        DocumentFactory(subject="Written while replay is paused", distribution="PUBLIC")
        seen["while_lagging"] = listed(client)
    wait_replayed()
    health.forget()
    with override_settings(DATABASE_REPLICA_MAX_LAG_SECONDS=60):
        seen["after_catch_up"] = listed(client)
    seen["log"] = LOG.lines
    return seen


def replica_down() -> dict:
    DocumentFactory(subject="Read while the replica is down", distribution="PUBLIC")
    first = listed(APIClient())
    second = listed(APIClient())
    return {"first": first, "second": second, "log": LOG.lines}


def replica_fails_mid_request() -> dict:
    DocumentFactory(subject="Read while the replica fails", distribution="PUBLIC")
    wait_replayed()
    client = APIClient()
    killed = []

    def kill(sender, connection, **kwargs):
        """Ends the replica's server process for the connection just opened: the request's
        first statement on it fails, after the check found the replica fine."""
        if connection.alias != REPLICA or killed:
            return
        pid = connection.connection.info.backend_pid
        with psycopg.connect(os.environ["DATABASE_REPLICA_URLS"], autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        killed.append(pid)

    with override_settings(DATABASE_REPLICA_CHECK_SECONDS=3600):
        before = listed(client)  # checks the replica: it is fine, and stays so for an hour
        connections[REPLICA].close()  # as at the end of a request (the test client keeps it)
        connection_created.connect(kill)
        try:
            during = listed(client)
        finally:
            connection_created.disconnect(kill)
    return {"before": before, "during": during, "killed": bool(killed), "log": LOG.lines}


WRITERS = 3
REGISTRATIONS = 15


def feed() -> dict:
    """Clerks register documents on the primary while a mirror pages the feed; then the
    mirror is compared with the list, read from the replica once it has caught up."""
    client = APIClient()
    mirror: dict[str, dict] = {}
    cursor: dict = {"cursor": None, "pages": 0}
    feed_counts = dict.fromkeys(settings.DATABASES, 0)
    errors: list[str] = []
    writing = threading.Event()
    writing.set()

    def replay() -> None:
        while True:
            query = (
                f"?cursor={cursor['cursor']}&page_size=7" if cursor["cursor"] else "?page_size=7"
            )
            with served() as counts:
                page = client.get(f"/api/v1/changes/{query}").json()
            for alias, count in counts.items():
                feed_counts[alias] += count
            for change in page["results"]:
                if change["record"] != "document":
                    continue
                if change["action"] == "upsert":
                    mirror[change["key"]] = change["data"]
                else:
                    mirror.pop(change["key"], None)
            cursor["cursor"], cursor["pages"] = page["cursor"], cursor["pages"] + 1
            if page["next"] is None:
                return

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for number in range(REGISTRATIONS):
                DocumentFactory(
                    series=rng.choice(["ST", "WK"]),
                    distribution=rng.choice(["PUBLIC", "LIMITE"]),
                    subject=f"Registered by writer {seed}, number {number}",
                )
                time.sleep(rng.random() / 100)
        except BaseException as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        replay()
        time.sleep(0.01)
    for thread in threads:
        thread.join()
    replay()
    wait_replayed()
    health.forget()
    items, url = {}, LIST
    with served() as list_counts:
        while url:
            page = client.get(url).json()
            items.update({item["slug"]: item for item in page["results"]})
            url = page["next"]
    return {
        "errors": errors, "pages": cursor["pages"], "feed_statements": feed_counts,
        "list_statements": list_counts, "registered": WRITERS * REGISTRATIONS,
        "mirror": {str(k): v for k, v in sorted(mirror.items())},
        "listed": {str(k): v for k, v in sorted(items.items())},
    }  # fmt: skip


SCENARIOS = {
    scenario.__name__: scenario
    for scenario in (reads, sticky, lagging, replica_down, replica_fails_mid_request, feed)
}

if __name__ == "__main__":
    setup_test_environment()  # 'testserver' allowed, outgoing mail kept in memory
    result = SCENARIOS[sys.argv[1]]()
    print("SCENARIO " + json.dumps(result, default=str))
