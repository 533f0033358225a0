"""``make bench`` end to end at a tiny scale, so that the harness cannot rot: the builder (every
constraint of the schema validated on the generated rows), the fingerprint, gunicorn, the
measuring client with every page equal to its floor, one reminder tick, registrations from 8
connections one at a time and in batches, the numbering check and the shape of
``latest.json``. Speed itself is never asserted here."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from bench import GENERATOR_VERSION
from bench.database import Server, fingerprint_of, fingerprint_read

ROOT = Path(__file__).resolve().parents[2]
SCALE = 300

# A tiny, quick run: a few samples of everything, nothing skipped.
QUICK = {
    "SCALE": str(SCALE),
    "BENCH_REBUILD": "1",
    "BENCH_CASES": "3",
    "BENCH_SAMPLES": "3",
    "BENCH_MIN_SAMPLES": "1",
    "BENCH_OP_SECONDS": "1",
    "BENCH_WARMUP": "1",
    "BENCH_THROUGHPUT_CLIENTS": "2",
    "BENCH_THROUGHPUT_SECONDS": "0.2",
    "BENCH_MIXED_SECONDS": "1",
    "BENCH_WRITE_SECONDS": "1",
    "BENCH_INTAKE_COVERS": "40",
}


def _bench_url() -> str:
    """A data set of this checkout's own (the suite's database name plus ``_bt``)."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker"))
    return url._replace(path=f"{url.path}_bt").geturl()


def _run(environment: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench"],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def bench_server():
    server = Server.from_url(_bench_url())
    yield server
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
    ) as admin:
        for name in (server.name, server.build_name, server.run_name):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_bench_builds_measures_and_reports_in_the_issue_shape(bench_server, tmp_path):
    finished = _run({**QUICK, "BENCH_DATABASE_URL": _bench_url(), "BENCH_RESULTS": str(tmp_path)})

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    result = json.loads((tmp_path / "latest.json").read_text())
    assert set(result) == {
        "scale", "machine", "operations", "writes", "mixed_load", "memory", "reminders",
        "intake", "targets", "notes",
    }  # fmt: skip
    assert result["intake"]["covers"] == 40
    assert result["intake"]["covers_per_s"] > 0
    assert result["scale"] == SCALE
    assert set(result["machine"]) == {"cores", "postgres"}
    operation_keys = {"name", "caller", "p50_ms", "p95_ms", "p99_ms", "rps", "floor_p50_ms",
                      "ratio"}  # fmt: skip
    assert all(set(op) == operation_keys for op in result["operations"])
    measured = {(op["name"], op["caller"]) for op in result["operations"]}
    assert ("document detail", "anonymous") in measured
    assert ("document detail", "delegate") in measured
    assert ("admin search by reference", "clerk") in measured
    assert {op["caller"] for op in result["operations"]} == {"anonymous", "delegate", "clerk"}
    # Every operation was measured, without a failed request, each page equal to its floor.
    assert all(op["p50_ms"] is not None for op in result["operations"]), result["notes"]
    assert not [note for note in result["notes"] if "differ" in note or "failed" in note]
    details = json.loads((tmp_path / "latest-details.json").read_text())
    assert all(op["pages_compared"] >= 1 for op in details["operations"])
    detail = next(op for op in result["operations"] if op["name"] == "document detail")
    assert detail["p50_ms"] > 0
    assert detail["floor_p50_ms"] > 0
    assert detail["ratio"] > 0
    # Every registration got a number, none twice, none skipped, over the whole register.
    assert set(result["writes"]) == {
        "registrations_per_s", "registrations_single_per_s", "duplicates", "gaps",
    }  # fmt: skip
    assert result["writes"]["registrations_per_s"] > 0
    assert result["writes"]["registrations_single_per_s"] > 0
    assert result["writes"]["duplicates"] == 0
    assert result["writes"]["gaps"] == 0
    assert set(result["mixed_load"]) == {"clients", "rps", "p95_ms"}
    assert result["mixed_load"]["clients"] == 16
    assert result["mixed_load"]["rps"] > 0
    assert result["memory"]["worker_peak_rss_mb"] > 0
    assert set(result["reminders"]) == {"tick_s", "notifications", "emails"}
    assert result["reminders"]["tick_s"] > 0
    assert all(set(t) == {"target", "measured", "met"} for t in result["targets"])
    assert "| operation | caller | p50 ms |" in finished.stdout
    # The complete data set stays, fingerprinted (the next run reuses it); nothing else does.
    found = fingerprint_read(bench_server, bench_server.name)
    assert found["fingerprint"] == fingerprint_of(scale=SCALE, seed=8, generator=GENERATOR_VERSION)
    with psycopg.connect(
        host=bench_server.host, port=bench_server.port, user=bench_server.user, dbname="postgres"
    ) as admin:
        left = admin.execute(
            "SELECT datname FROM pg_database WHERE datname IN (%s, %s)",
            [bench_server.build_name, bench_server.run_name],
        ).fetchall()
    assert left == []


@pytest.mark.parametrize("scale", ["0", "-5", "abc", "2.5", "1e6", ""])
def test_scale_that_is_not_a_positive_whole_number_is_refused(scale, tmp_path):
    finished = _run({"SCALE": scale, "BENCH_RESULTS": str(tmp_path)}, timeout=60)

    assert finished.returncode == 2
    assert "SCALE must be a whole number" in finished.stderr
    assert not (tmp_path / "latest.json").exists()


def test_unreachable_database_is_a_clear_error(tmp_path):
    finished = _run(
        {"SCALE": "300", "BENCH_DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
         "BENCH_RESULTS": str(tmp_path)},
        timeout=60,
    )  # fmt: skip

    assert finished.returncode == 2
    assert "PostgreSQL at 127.0.0.1:1 (database postgres) is not reachable" in finished.stderr
    assert not (tmp_path / "latest.json").exists()
