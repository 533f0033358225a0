"""Read replicas: configuration (DATABASE_REPLICA_URLS and the routing settings)."""

import json

import pytest
from django.db import router
from django.urls import reverse

from documents.models import Document
from tests.factories import UserFactory
from tests.tracker.test_settings import run
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
