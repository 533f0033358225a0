"""With a dependency down the app degrades, never falls over; /healthz says which one.

Nothing shared is stopped: the app is pointed at a closed port (a free port nobody listens on).
"""

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from api import throttling
from api.services import token_issue
from tests.factories import DocumentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A local port nobody listens on (bound for a moment to find it, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache_at(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_down(settings):
    """The cache (throttle counts) and the broker point at a closed port."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = redis_cache_at(url)
    settings.CELERY_BROKER_URL = url
    throttling._last_warning = None  # the next failure is logged, whatever came before
    return url


@pytest.fixture
def redis_up(settings):
    """The cache on the real Redis (this suite's own database number, as the broker's)."""
    settings.CACHES = redis_cache_at(django_settings.CELERY_BROKER_URL)


# --- /healthz ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_up")
def test_healthz_reports_every_dependency_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "cache": {"status": "ok"},
            "broker": {"status": "ok"},
        },
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_healthz_with_redis_down_is_degraded_but_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["broker"]["status"] == "down"
    # The public page names the kind of failure, never the address or credentials it used.
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_without_a_broker_runs_tasks_eagerly_and_is_ok(client, settings):
    settings.CELERY_BROKER_URL = ""

    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["checks"]["broker"] == {"status": "not-configured"}


@pytest.mark.slow
def test_healthz_answers_503_when_the_database_is_down():
    """GIVEN the app configured with its database, cache and broker on closed ports
    WHEN /healthz is asked (in a process of its own: settings are read once per process)
    THEN it answers 503 naming each dependency down, and does not crash."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    port = closed_port()
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        READ_DOT_ENV="false",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/tracker",
        CACHE_URL=f"redis://127.0.0.1:{port}/0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
    )
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='localhost'); "
        "print(r.status_code); print(r.content.decode())"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503"
    report = json.loads(body)
    assert report["status"] == "down"
    assert {name: check["status"] for name, check in report["checks"].items()} == {
        "database": "down",
        "cache": "down",
        "broker": "down",
    }
    assert report["checks"]["database"]["error"] == "OperationalError"


# --- Reads with Redis down --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_reads_keep_working_with_the_throttle_cache_down_and_say_so_in_the_log(caplog):
    DocumentFactory(subject="Public agenda")
    _token, key = token_issue(user=UserFactory())
    client = APIClient()

    with caplog.at_level(logging.WARNING, logger="api.throttling"):
        anonymous = client.get("/api/v1/documents/")
        with_token = client.get("/api/v1/documents/", HTTP_AUTHORIZATION=f"Token {key}")
        refused = client.get("/api/v1/documents/", HTTP_AUTHORIZATION="Bearer x")

    assert anonymous.status_code == 200
    assert [d["subject"] for d in anonymous.json()["results"]] == ["Public agenda"]
    assert with_token.status_code == 200
    assert refused.status_code == 401
    warnings = [r for r in caplog.records if r.name == "api.throttling"]
    assert len(warnings) == 1  # once a minute, not once a request
    assert "shared cache is unreachable" in warnings[0].getMessage()


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_down")
def test_with_the_cache_down_the_limits_still_hold_in_the_process(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "user": "3/minute", "anon": "3/minute"},
    }
    client = APIClient()

    statuses = [client.get("/api/v1/documents/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_up")
def test_with_redis_up_the_counts_are_shared_not_local(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "user": "3/minute", "anon": "3/minute"},
    }
    from django.core.cache import cache

    cache.clear()
    client = APIClient()

    statuses = [client.get("/api/v1/documents/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert cache.get("throttle_anon_127.0.0.1") is not None
    assert throttling.local_counts.get("throttle_anon_127.0.0.1") is None
    cache.clear()
