"""One measuring run against a copy of the data set: serve it with gunicorn, drive the client
process, run one reminder tick, register documents from 8 connections (one at a time, then in
batches), check the numbers.

Runs in the ``python -m bench`` process once Django is set up against the run database with
the same production settings as the server (so that, e.g., feed cursors are encrypted with
the server's key).
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psutil
import psycopg
from psycopg.rows import dict_row

from bench.config import ROOT, Config
from bench.operations import OPERATIONS, WALK_AFTER, sql_for

# The server's configuration: production settings, plus what a benchmark needs.
SERVER_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
    "READ_DOT_ENV": "false",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",  # no TLS proxy in front of it here
    "DATABASE_CONN_MAX_AGE": "600",
    # Throttling still runs on every request; the limits are only out of the way.
    "API_TOKEN_RATE": "100000000/hour",
    "API_USER_RATE": "100000000/hour",
    "API_ANON_RATE": "100000000/hour",
    "LOG_LEVEL": "WARNING",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``gunicorn tracker.wsgi`` with N sync workers (as the image runs it) on a free port."""

    def __init__(self, *, workers: int, environment: dict, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.environment, self.log = workers, environment, log
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()

    def __enter__(self) -> Gunicorn:
        arguments = [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "300",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(
            arguments,
            cwd=ROOT,
            env=self.environment,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        return self

    def _wait_until_up(self) -> None:
        import http.client

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}): see {self.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/livez")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /livez within 60 s: see {self.log}")

    def _sample(self) -> None:
        """The workers' resident memory, every 100 ms: the peak of each."""
        master = psutil.Process(self.process.pid)
        while not self._stop.wait(0.1):
            try:
                workers = master.children()
            except psutil.Error:
                return
            for worker in workers:
                try:
                    rss = worker.memory_info().rss
                except psutil.Error:
                    continue
                self.peaks[worker.pid] = max(self.peaks.get(worker.pid, 0), rss)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.sampler.join()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the plan the client executes ----------------------------------------------------------


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def plan(cfg: Config, *, dsn: str, base: str, info: dict, notes: list[str]) -> dict:
    from django.conf import settings

    admin_url = settings.ADMIN_URL
    operations = []
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as connection:
        for op in OPERATIONS:
            for caller in op.callers:
                if isinstance(op.cases, str):
                    rows = connection.execute(sql_for(op.cases, caller), {"n": cfg.cases})
                    found = [{k: _jsonable(v) for k, v in r.items()} for r in rows.fetchall()]
                else:
                    found = [dict(case) for case in op.cases]
                if not found:
                    notes.append(f"{op.name} ({caller}): no cases at this scale, not measured")
                    continue
                floor = sql_for(op.floor, caller)
                cases = []
                for case in found:
                    values = {**case, **(op.url_values(case) if op.url_values else {})}
                    quoted = {k: quote(str(v), safe="") for k, v in values.items()}
                    cases.append(
                        {
                            "url": op.url.format(admin=admin_url, **quoted),
                            "sql": floor.replace("{after}", ""),
                            "sql_next": floor.replace("{after}", WALK_AFTER),
                            # The floor builds the API's absolute URLs on the same base.
                            "params": {**case, "base": base},
                        }
                    )
                operations.append(
                    {
                        "name": op.name,
                        "caller": caller,
                        "walk": op.walk,
                        "mix": op.mix,
                        "compare": op.compare,
                        "cases": cases,
                    }
                )
    return {
        "base": base,
        "dsn": dsn,
        "livez": "/livez",
        "samples": cfg.samples,
        "min_samples": cfg.min_samples,
        "op_seconds": cfg.op_seconds,
        "warmup": cfg.warmup,
        "throughput_clients": cfg.throughput_clients,
        "throughput_seconds": cfg.throughput_seconds,
        "mixed": {"clients": cfg.mixed_clients, "seconds": cfg.mixed_seconds},
        "callers": {
            "anonymous": {},
            "delegate": {"headers": {"Authorization": f"Token {info['delegate']['token']}"}},
            "clerk": {
                "login": {"path": f"/{admin_url}login/", "next": f"/{admin_url}", **info["clerk"]}
            },
        },
        "operations": operations,
    }


def static_files_collected() -> bool:
    """Whether STATIC_ROOT's manifest is newer than every static file the apps ship."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if os.stat(storage.path(path)).st_mtime > collected:
                return False
    return True


def reads(cfg: Config, *, dsn: str, info: dict, environment: dict, work: Path, notes) -> dict:
    """Serve the run database and measure every read from the client process."""
    from django.core.management import call_command

    # The admin's pages need the static files' manifest (production storage), as in the image.
    if not static_files_collected():
        call_command("collectstatic", interactive=False, verbosity=0)
    log = work / "gunicorn.log"
    with Gunicorn(workers=cfg.workers, environment=environment, log=log) as server:
        the_plan = plan(cfg, dsn=dsn, base=server.base, info=info, notes=notes)
        plan_path, out_path = work / "plan.json", work / "client.json"
        plan_path.write_text(json.dumps(the_plan, default=str))
        client = subprocess.run(
            [sys.executable, "-m", "bench.client", str(plan_path), str(out_path)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if client.returncode != 0:
            raise RuntimeError(f"the measuring client failed ({client.returncode})")
        measured = json.loads(out_path.read_text())
        peaks = dict(server.peaks)
    measured["workers_peak_rss"] = {str(pid): rss for pid, rss in peaks.items()}
    return measured


# --- registrations ---------------------------------------------------------------------------

BATCH = 25  # registrations per documents_register call, in the batched measurement


def _registration(rng: random.Random, inputs: dict, bodies: dict) -> dict:
    """One registration as a clerk's desk (or an import) hands it to the service."""
    procedure = rng.choice(inputs["procedures"])
    return {
        "date": datetime.date.fromisoformat(inputs["date"]),
        "document_type": "NOTE",
        "originator": "Presidency",
        "recipients": "Delegations",
        "subject": f"{procedure['title'][:180]} - Presidency compromise text",
        "distribution": "LIMITE" if rng.random() < 0.7 else "PUBLIC",
        "subject_codes": rng.sample(inputs["codes"], rng.randint(2, 5)),
        "procedures": [procedure["reference"]],
        "bodies": [bodies[procedure["body"]]],
        "cites": rng.sample(inputs["cites"], 1),
    }


def _register_until(deadline: float, seed: int, inputs: dict, batch: int, start, results) -> None:
    """One writer: its own database connection, registering until the deadline, one at a
    time (``document_register``) or ``batch`` at a time (``documents_register``)."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError, connections

    from documents.models import Body
    from documents.services import document_register, documents_register

    connections.close_all()  # never the parent's connection
    rng = random.Random(seed)
    clerk = get_user_model().objects.get(pk=inputs["clerk_id"])
    bodies = Body.objects.in_bulk(inputs["body_ids"])
    done = refused = 0
    start.wait()
    while time.time() < deadline:
        registrations = [_registration(rng, inputs, bodies) for _ in range(batch)]
        try:
            if batch == 1:
                document_register(**registrations[0], registered_by=clerk)
            else:
                documents_register(registrations, registered_by=clerk)
            done += batch
        except (ValidationError, DatabaseError):
            refused += batch
    connections.close_all()
    results.put((done, refused))


def _registration_inputs(info: dict) -> dict:
    from django.db import connection

    from bench.world import LAST_YEAR

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM auth_user WHERE username = %s", [info["clerk"]["username"]])
        clerk_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT reference, title, lead_body_id FROM documents_procedure "
            "WHERE lead_body_id IS NOT NULL ORDER BY year DESC, number DESC LIMIT 50"
        )
        procedures = [{"reference": r, "title": t, "body": b} for r, t, b in cursor.fetchall()]
        cursor.execute(
            "SELECT reference FROM documents_document WHERE year = %s ORDER BY id DESC LIMIT 50",
            [LAST_YEAR],
        )
        cites = [r for (r,) in cursor.fetchall()]
    return {
        "clerk_id": clerk_id,
        "procedures": procedures,
        "cites": cites,
        "body_ids": sorted({p["body"] for p in procedures}),
        "codes": info["common_codes"] + ["CODEC"],
        "date": f"{LAST_YEAR}-12-30",
    }


def _registrations_at(cfg: Config, inputs: dict, *, batch: int, seed: int) -> dict:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    deadline = time.time() + 2 + cfg.write_seconds  # the processes start within 2 s
    writers = [
        context.Process(
            target=_register_until, args=(deadline, seed + k, inputs, batch, start, results)
        )
        for k in range(cfg.writers)
    ]
    for writer in writers:
        writer.start()
    time.sleep(max(0.0, deadline - cfg.write_seconds - time.time()))
    started = time.time()
    start.set()
    counts = [results.get(timeout=cfg.write_seconds + 600) for _ in writers]
    elapsed = time.time() - started
    for writer in writers:
        writer.join()
    done = sum(c[0] for c in counts)
    return {
        "registrations": done,
        "refused": sum(c[1] for c in counts),
        "seconds": elapsed,
        "registrations_per_s": done / elapsed if elapsed else 0.0,
        "connections": cfg.writers,
        "batch": batch,
    }


def registrations(cfg: Config, *, info: dict) -> dict:
    """Registrations per second through the services from ``cfg.writers`` processes, each
    with its own connection, all in the register's last year: one at a time
    (``document_register``), then in batches of ``BATCH`` (``documents_register``)."""
    inputs = _registration_inputs(info)
    single = _registrations_at(cfg, inputs, batch=1, seed=0)
    batched = _registrations_at(cfg, inputs, batch=BATCH, seed=1000)
    return {"single": single, "batched": batched}


# --- one reminder tick ---------------------------------------------------------------------

# The register's "now" (bench.world.END, a Wednesday evening in Brussels): past the digest
# hour, with meetings a day and a week ahead.
TICK_AT = datetime.datetime(2025, 12, 31, 18, 0, tzinfo=datetime.UTC)


def reminder_tick(at: datetime.datetime) -> dict:
    """``manage.py send_reminders --now <at>``, in-process: every rule evaluated on the whole
    register, the due e-mails rendered and sent (as many as one tick sends), through Django's
    in-memory (locmem) e-mail backend instead of SMTP. Then the same tick again: it stores
    nothing new and sends what the first left in the outbox."""
    import io

    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import override_settings

    from documents.models import Notification

    ticks = []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for _run in (1, 2):
            mail.outbox = []
            stored = Notification.objects.count()
            out = io.StringIO()
            started = time.perf_counter()
            call_command("send_reminders", now=at, stdout=out)
            ticks.append(
                {
                    "seconds": time.perf_counter() - started,
                    "notifications": Notification.objects.count() - stored,
                    "emails": len(mail.outbox),
                    "output": out.getvalue().strip(),
                }
            )
        mail.outbox = []
    by_rule = dict(
        Notification.objects.values_list("rule").annotate(n=Count("id")).order_by("rule")
    )
    connection.close()
    first, again = ticks
    return {
        "at": at.isoformat(),
        "tick_s": first["seconds"],
        "notifications": first["notifications"],
        "emails": first["emails"],
        "by_rule": by_rule,
        "ticks": ticks,
        "again": again,
    }


NUMBERING_CHECK = """
WITH documents AS (
    SELECT count(*) FILTER (WHERE suffix = '') - count(DISTINCT number) FILTER (WHERE suffix = '')
               AS duplicates,
           max(number) - count(DISTINCT number) AS gaps
    FROM documents_document GROUP BY series, year
), codes AS (
    SELECT count(*) - count(DISTINCT number) AS duplicates, max(number) - count(DISTINCT number)
               AS gaps
    FROM documents_subjectcodenumber GROUP BY subject_code_id, year
), counters AS (
    SELECT count(*) AS behind FROM documents_counter c
    WHERE c.last < COALESCE((SELECT max(d.number) FROM documents_document d
                             WHERE 'document:' || d.series = c.scope AND d.year = c.year), 0)
       OR c.last < COALESCE((SELECT max(n.number) FROM documents_subjectcodenumber n
                             JOIN documents_subjectcode s ON s.id = n.subject_code_id
                             WHERE 'subject-code:' || s.code = c.scope AND n.year = c.year), 0)
)
SELECT (SELECT COALESCE(sum(duplicates), 0) FROM documents),
       (SELECT COALESCE(sum(gaps), 0) FROM documents),
       (SELECT COALESCE(sum(duplicates), 0) FROM codes),
       (SELECT COALESCE(sum(gaps), 0) FROM codes),
       (SELECT behind FROM counters)
"""


def numbering_check(dsn: str) -> dict:
    """Duplicate and skipped numbers per (series, year) and per (subject code, year), over the
    whole register: what was generated and what the registrations added."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(NUMBERING_CHECK).fetchone()
    documents_dup, documents_gaps, codes_dup, codes_gaps, behind = (int(v) for v in row)
    return {
        "duplicates": documents_dup + codes_dup,
        "gaps": documents_gaps + codes_gaps,
        "document_duplicates": documents_dup,
        "document_gaps": documents_gaps,
        "subject_code_duplicates": codes_dup,
        "subject_code_gaps": codes_gaps,
        "counters_behind": behind,
    }


def intake(notes: list[str]) -> dict | None:
    """Covers per second through ``import_document`` of a folder (scripts/bench_intake.py, in
    its own process and scratch database), with 1 and 2 worker processes;
    ``BENCH_INTAKE_COVERS`` covers (3,000)."""
    covers = int(os.environ.get("BENCH_INTAKE_COVERS", "3000"))
    script = Path(__file__).resolve().parents[1] / "scripts" / "bench_intake.py"
    finished = subprocess.run(
        [sys.executable, str(script), "--covers", str(covers), "--workers", "2"],
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    rates = {
        int(workers): float(rate)
        for workers, rate in re.findall(r"(\d+) worker\(s\):\s+([\d.]+) covers/s", finished.stdout)
    }
    if finished.returncode != 0 or not rates:
        notes.append(f"import_document: not measured ({finished.stderr.strip()[-300:]})")
        return None
    return {
        "covers": covers,
        "covers_per_s": max(rates.values()),
        "by_workers": {str(workers): rate for workers, rate in sorted(rates.items())},
    }


def temporary_directory() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-run-"))
