"""Settings come from the environment; production refuses unsafe ones.

Settings are read once per process, so each case runs Django in a subprocess with its own
environment.
"""

import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "DATABASE_REPLICA_URLS",
)


def django_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in OURS}
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    env["READ_DOT_ENV"] = "false"
    env.update(overrides)
    return env


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=django_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = ["-c", "import django; django.setup(); from django.conf import settings; print('up')"]


@pytest.mark.parametrize(
    ("secret_key", "problem"),
    [
        (None, "SECRET_KEY is not set"),
        ("change-me", "SECRET_KEY is a placeholder"),
        ("django-insecure-" + "x" * 60, "SECRET_KEY is a placeholder"),
        ("short-but-random-7dK2", "too short"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key, problem):
    env = {"DEBUG": "false"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key

    result = run(SETUP, **env)

    assert result.returncode != 0
    assert problem in result.stderr
    assert "refusing to start" in result.stderr


def test_production_refuses_to_start_on_the_sqlite_default():
    result = run(SETUP, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_debug_starts_without_a_secret_key():
    result = run(SETUP, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "up"


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tracker.example.eu",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("broker", "eager"), [(None, "True"), ("redis://127.0.0.1:6379/0", "False")]
)
def test_tasks_run_eagerly_only_without_a_broker(broker, eager):
    env = {"DEBUG": "true"}
    if broker:
        env["CELERY_BROKER_URL"] = broker
    code = (
        "import django; django.setup(); from tracker.celery import app; "
        "print(app.conf.task_always_eager)"
    )

    result = run(["-c", code], **env)

    assert result.stdout.strip() == eager, result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "tracker" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", example, flags=re.MULTILINE))

    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL"} <= read
    assert read - listed == set()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_demo_runs_on_sqlite_with_no_service(tmp_path):
    """GIVEN no DATABASE_URL and no broker (what `make run` uses)
    WHEN the demo is migrated, loaded and served
    THEN the admin login and the health check answer, the demo register is there, and so is
    its public dump (exported on SQLite, served by the API)."""
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    for command in (["migrate", "--noinput"], ["setup_roles"], ["load_demo"]):
        result = run(["manage.py", *command], **env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "delegate.be" in result.stdout
    count = run(
        ["manage.py", "shell", "-c", "from documents.models import Document as D; "
         "print(sorted(D.objects.values_list('reference', flat=True)))"],
        **env,
    )  # fmt: skip
    assert "['ST 5397 2024 INIT', 'WK 9107 2022 INIT']" in count.stdout, count.stderr
    exported = run(["manage.py", "export_register", "--audience", "public"], **env)
    assert exported.returncode == 0, exported.stderr

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=django_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"  # SQLite, local cache, no broker
                    break
            except OSError:
                assert time.monotonic() < deadline, "the demo server did not come up in 30 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as r:
            assert r.status == 200
            assert b"csrfmiddlewaretoken" in r.read()
        # The API on SQLite: the full-text seam falls back to word matching.
        search = f"http://127.0.0.1:{port}/api/v1/documents/?q=case+studies"
        with urllib.request.urlopen(search, timeout=5) as r:
            found = [d["reference"] for d in json.load(r)["results"]]
        assert found == ["ST 5397 2024 INIT"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/dumps/", timeout=5) as r:
            files = {f["resource"]: f for f in json.load(r)["files"]}
        assert files["documents"]["records"] == 1  # the LIMITE note, listed; not the WK one
        with urllib.request.urlopen(files["documents"]["url"].replace(":8000", f":{port}")) as r:
            assert hashlib.sha256(r.read()).hexdigest() == files["documents"]["sha256"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_admin_path_is_configurable():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )

    moved = run(["-c", code], DEBUG="true", ADMIN_URL="registry-desk/")
    refused = run(["-c", code], DEBUG="true", ADMIN_URL="/admin")

    assert moved.stdout.strip() == "/registry-desk/", moved.stderr
    assert refused.returncode != 0
    assert "ADMIN_URL must be a relative path" in refused.stderr


@pytest.mark.parametrize("line", ["30 2 * *", "61 2 * * *", "every day"])
def test_a_malformed_dump_schedule_stops_the_app_naming_the_variable(line):
    result = run(SETUP, DEBUG="true", DUMPS_REBUILD_CRON=line)

    assert result.returncode != 0
    assert f"DUMPS_REBUILD_CRON={line!r} is not a crontab line" in result.stderr


def test_the_dump_schedule_is_read_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['public-dump']['schedule'])"
    )

    result = run(["-c", code], DEBUG="true", DUMPS_REBUILD_CRON="0 */6 * * 1-5")

    assert result.stdout.strip() == "<crontab: 0 */6 * * 1-5 (m/h/dM/MY/d)>", result.stderr
