"""Read replicas: configuration, and the routing rules against a real streaming replica.

The replica tests make their own PostgreSQL 15 primary and replica on loopback
(tests/tracker/replica_pair.py) and run each scenario in a process whose settings point at
them (tests/tracker/replica_scenarios.py); they never touch the shared cluster on 5432.
"""

import json
import os
import subprocess
import sys

import pytest
from django.db import router
from django.urls import reverse

from documents.models import Document
from tests.factories import UserFactory
from tests.tracker.replica_pair import PairUnavailable, ReplicaPair
from tests.tracker.test_settings import ROOT, django_env, run
from tracker.db_router import STICKY_COOKIE, replica_reads

# --------------------------------------------------------------------------- configuration

SHOW_DATABASES = [
    "-c",
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'replicas': s.DATABASE_REPLICAS, 'databases': {a: {k: d.get(k) for k in "
    "('HOST', 'PORT', 'NAME', 'TEST', 'OPTIONS')} for a, d in s.DATABASES.items()}}))",
]
PRIMARY = "postgres://tracker:primary-secret@db:5432/tracker"


def test_each_replica_url_becomes_a_read_only_alias_mirrored_in_tests():
    urls = (
        "postgres://reader:replica-secret@replica-1:5433/tracker, "
        "postgres://reader:replica-secret@replica-2/tracker?connect_timeout=5"
    )

    result = run(SHOW_DATABASES, DEBUG="true", DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=urls)

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["replicas"] == ["replica_1", "replica_2"]
    databases = shown["databases"]
    assert databases["replica_1"]["TEST"]["MIRROR"] == "default"
    assert {key: databases["replica_1"][key] for key in ("HOST", "PORT", "NAME", "OPTIONS")} == {
        "HOST": "replica-1", "PORT": 5433, "NAME": "tracker", "OPTIONS": {"connect_timeout": 2},
    }  # fmt: skip
    assert databases["replica_2"]["HOST"] == "replica-2"
    assert databases["replica_2"]["OPTIONS"] == {"connect_timeout": 5}


def test_no_replica_configured_is_one_database_as_before():
    result = run(SHOW_DATABASES, DEBUG="true", DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS="")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replicas"] == []
    assert list(json.loads(result.stdout)["databases"]) == ["default"]


@pytest.mark.parametrize(
    ("urls", "database_url", "message"),
    [
        ("postgres://reader:replica-secret@replica-1:fivefour/tracker", PRIMARY,
         "DATABASE_REPLICA_URLS entry 1 (postgres://reader:***@replica-1:fivefour/tracker) is "
         "not a database URL"),
        ("postgres://replica-1/tracker,mysql://reader:replica-secret@replica-2/tracker", PRIMARY,
         "DATABASE_REPLICA_URLS entry 2 (mysql://reader:***@replica-2/tracker) is not a "
         "PostgreSQL URL"),
        ("replica-1:5432", PRIMARY, "DATABASE_REPLICA_URLS entry 1 (replica-1:5432) is not a "
         "PostgreSQL URL"),
        ("postgres://replica-1:5432/", PRIMARY, "is not a PostgreSQL URL"),
        ("postgres://replica-1/tracker", "sqlite:////tmp/demo.sqlite3",
         "DATABASE_REPLICA_URLS is set but DATABASE_URL is not PostgreSQL"),
    ],
)  # fmt: skip
def test_a_malformed_replica_url_stops_the_app_at_start_naming_the_variable(
    urls, database_url, message
):
    result = run(SHOW_DATABASES, DEBUG="true", DATABASE_URL=database_url,
                 DATABASE_REPLICA_URLS=urls)  # fmt: skip

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "replica-secret" not in result.stderr


def test_stickiness_shorter_than_lag_plus_check_is_refused():
    """A browser that wrote must read the primary until any replica still in use holds the
    write: at most the lag limit plus the check interval later."""
    result = run(
        SHOW_DATABASES, DEBUG="true", DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_MAX_LAG_SECONDS="5", DATABASE_REPLICA_CHECK_SECONDS="3",
        DATABASE_REPLICA_STICKY_SECONDS="7",
    )  # fmt: skip

    assert result.returncode != 0
    assert "DATABASE_REPLICA_STICKY_SECONDS must be at least" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_without_replicas_every_query_goes_to_default_and_no_cookie_is_set(client):
    user = UserFactory()

    with replica_reads():
        aliases = (router.db_for_read(Document), router.db_for_write(Document))
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": "correct horse battery"}
    )

    assert aliases == ("default", "default")
    assert STICKY_COOKIE not in response.cookies


# --------------------------------------------------------------------------- a real replica


@pytest.fixture(scope="module")
def pair():
    """A private primary (migrated) and its streaming replica, removed at the end."""
    try:
        pair = ReplicaPair.make()
    except PairUnavailable as problem:
        pytest.fail(f"cannot make the private primary and replica: {problem}")
    try:
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=scenario_env(pair, replicas=""), capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        pair.clone()
        pair.start("replica")
        yield pair
    except PairUnavailable as problem:
        pytest.fail(f"cannot make the private primary and replica: {problem}")
    finally:
        pair.remove()


def scenario_env(pair: ReplicaPair, *, replicas: str | None = None) -> dict[str, str]:
    return django_env(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=pair.url("primary"),
        DATABASE_REPLICA_URLS=pair.url("replica") if replicas is None else replicas,
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
        API_ANON_RATE="100000/hour",  # the mirror polls the feed as fast as it can
    )


def scenario(pair: ReplicaPair, name: str) -> dict:
    """Runs one scenario of tests/tracker/replica_scenarios.py and returns what it saw."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.tracker.replica_scenarios", name],
        cwd=ROOT, env=scenario_env(pair), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    lines = [line for line in result.stdout.splitlines() if line.startswith("SCENARIO ")]
    if result.returncode != 0 or not lines:
        pytest.fail(
            f"scenario {name} failed ({result.returncode}):\n{result.stderr[-4000:]}\n"
            f"primary log:\n{pair.log('primary')}\nreplica log:\n{pair.log('replica')}"
        )
    return json.loads(lines[-1].removeprefix("SCENARIO "))


def by(statements: dict[str, int]) -> set[str]:
    """The databases that ran statements."""
    return {alias for alias, count in statements.items() if count}


@pytest.mark.slow
def test_reads_are_served_by_the_replica_and_writes_by_the_primary(pair):
    seen = scenario(pair, "reads")

    assert (seen["read_alias"], seen["read_in_recovery"]) == ("replica_1", True)
    assert (seen["write_alias"], seen["write_in_recovery"]) == ("default", False)
    assert seen["status"] == 200
    assert seen["subjects"] == ["Replicated A", "Replicated B", "Replicated C"]
    assert by(seen["statements"]) == {"replica_1"}


@pytest.mark.slow
def test_a_write_is_read_back_from_the_primary_in_its_request_and_after_it(pair):
    """GIVEN a replica whose replay is paused (behind, but within the lag limit)
    WHEN a request writes and then reads, and a clerk registers a document at the desk
    THEN the request reads its write from the primary, and so do the clerk's next pages
    (a signed cookie); a caller that did not write reads the replica, which lacks it; a POST
    reads the primary throughout."""
    seen = scenario(pair, "sticky")

    assert (seen["same_request"], by(seen["same_request_statements"])) == (True, {"default"})
    assert (seen["next_request"], by(seen["next_request_statements"])) == (False, {"replica_1"})
    assert seen["post_reading"] == [200, False]  # read on the primary, wrote nothing
    assert by(seen["post_reading_statements"]) == {"default"}
    assert seen["post_status"] == 302
    assert seen["cookie_max_age"] == 10
    assert seen["with_cookie"] == ["Registered at the desk"]
    assert by(seen["with_cookie_statements"]) == {"default"}
    assert seen["without_cookie"] == []  # the replica does not have it yet
    assert by(seen["without_cookie_statements"]) == {"replica_1"}
    assert seen["after_catch_up"] == ["Registered at the desk"]
    assert by(seen["after_catch_up_statements"]) == {"replica_1"}


@pytest.mark.slow
def test_a_lagging_replica_is_skipped_with_a_warning_until_it_catches_up(pair):
    seen = scenario(pair, "lagging")

    status, subjects, statements = seen["while_lagging"]
    assert status == 200
    assert "Written while replay is paused" in subjects
    assert by(statements) == {"default"}
    assert any(line.startswith("WARNING Replica replica_1 lags") for line in seen["log"])
    status, subjects, statements = seen["after_catch_up"]
    assert (status, by(statements)) == (200, {"replica_1"})
    assert "Written while replay is paused" in subjects
    assert "INFO Replica replica_1 serves reads again." in seen["log"]


@pytest.mark.slow
def test_a_replica_that_is_down_is_skipped_with_a_warning(pair):
    pair.stop("replica")
    try:
        seen = scenario(pair, "replica_down")
    finally:
        pair.start("replica")

    for status, subjects, statements in (seen["first"], seen["second"]):
        assert status == 200
        assert "Read while the replica is down" in subjects
        assert by(statements) == {"default"}
    assert any(
        line.startswith("WARNING Replica replica_1 cannot be reached") for line in seen["log"]
    ), seen["log"]


@pytest.mark.slow
def test_a_replica_failing_during_a_request_is_retried_on_the_primary(pair):
    seen = scenario(pair, "replica_fails_mid_request")

    assert by(seen["before"][2]) == {"replica_1"}
    assert seen["killed"]
    status, subjects, statements = seen["during"]
    assert status == 200
    assert "Read while the replica fails" in subjects
    assert statements["default"] > 0
    assert any("replica_1 failed during a request" in line for line in seen["log"]), seen["log"]


@pytest.mark.slow
def test_the_feed_never_skips_while_reads_go_through_the_router(pair):
    """GIVEN three clerks registering documents on the primary while a mirror pages the feed
    WHEN the writers are done and the mirror has caught up
    THEN the mirror equals the document list read from the replica, and the feed read its
    positions from the primary only."""
    seen = scenario(pair, "feed")

    assert seen["errors"] == []
    assert seen["pages"] > 1
    assert by(seen["feed_statements"]) == {"default"}
    assert by(seen["list_statements"]) == {"replica_1"}
    assert len(seen["listed"]) >= seen["registered"] // 2
    assert seen["mirror"] == seen["listed"]
