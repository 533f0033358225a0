"""``make bench``: build (or reuse) the synthetic register, measure it, write the results.

    SCALE=20000 make bench        # or: SCALE=20000 .venv/bin/python -m bench

Exit status 0 with ``bench/results/latest.json`` written; 2 for bad input (SCALE, an
unreachable database, another run in progress) with a one-line message; 1 when a stage fails
(nothing is written then: results only ever come from a complete data set).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time

from bench import GENERATOR_VERSION, database, results
from bench.config import ROOT, Config
from bench.database import BenchError


def main() -> int:
    try:
        config = Config.from_environment()
        return bench(config)
    except BenchError as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 2


def production_environment(database_url: str, secret_key: str) -> dict:
    from bench.run import SERVER_ENVIRONMENT

    return {
        **os.environ,
        **SERVER_ENVIRONMENT,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "PYTHONPATH": str(ROOT),
    }


def build(config: Config, admin, fingerprint: str) -> dict:
    """Build into a fresh database; rename it to the data set's name only once complete."""
    server = config.server
    database.drop(admin, server.build_name)
    database.create(admin, server.build_name)
    report = ROOT / "bench" / "results" / ".build.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    environment = production_environment(server.url(server.build_name), secrets.token_urlsafe(50))
    started = time.perf_counter()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.build",
            "--scale",
            str(config.scale),
            "--seed",
            str(config.seed),
            "--mode",
            config.mode,
            "--fingerprint",
            fingerprint,
            "--report",
            str(report),
        ],
        cwd=ROOT,
        env=environment,
    )
    if completed.returncode != 0:
        database.drop(admin, server.build_name)
        raise RuntimeError(f"the build failed (exit {completed.returncode}); nothing is kept")
    seconds = time.perf_counter() - started
    database.drop(admin, server.name)
    database.rename(admin, server.build_name, server.name)
    info = json.loads(report.read_text())
    report.unlink()
    size = database.size(admin, server.name)
    print(
        f"  built {config.scale:,} documents ({info['rows']:,} rows) in {seconds:.0f} s "
        f"({info['rows'] / seconds:,.0f} rows/s); {size / 2**30:.2f} GiB on disk",
        flush=True,
    )
    return {"seconds": seconds, "bytes": size, **info}


def bench(config: Config) -> int:
    server = config.server
    admin = server.connect(autocommit=True)
    try:
        database.lock(admin, server.name)
        postgres = admin.execute("SHOW server_version").fetchone()[0].split()[0]
        fingerprint = database.fingerprint_of(
            scale=config.scale, seed=config.seed, generator=GENERATOR_VERSION
        )
        existing = None
        if database.exists(admin, server.name):
            existing = database.fingerprint_read(server, server.name)
        built = None
        if config.rebuild or existing is None or existing["fingerprint"] != fingerprint:
            why = (
                "BENCH_REBUILD"
                if config.rebuild
                else "no complete data set"
                if existing is None
                else "SCALE, seed, generator or migrations changed"
            )
            print(
                f"make bench: building {server.name} at SCALE={config.scale:,} ({why})", flush=True
            )
            built = build(config, admin, fingerprint)
            existing = database.fingerprint_read(server, server.name)
        else:
            print(f"make bench: {server.name} is up to date ({fingerprint})", flush=True)
        info = existing["info"]
        return measure(config, admin, info, postgres=postgres, built=built)
    finally:
        admin.close()


def measure(config: Config, admin, info: dict, *, postgres: str, built: dict | None) -> int:
    server = config.server
    started = time.perf_counter()
    database.drop(admin, server.run_name)
    database.create(admin, server.run_name, template=server.name, large=config.scale >= 100_000)
    print(
        f"  copied the data set for this run in {time.perf_counter() - started:.0f} s", flush=True
    )
    environment = production_environment(server.url(server.run_name), secrets.token_urlsafe(50))
    os.environ.update(environment)
    import django

    django.setup()
    from bench import run
    from bench.loader import cpu_count

    notes: list[str] = []
    if info.get("empty_tables"):
        notes.append(f"the generator writes no rows to {', '.join(info['empty_tables'])}")
    work = run.temporary_directory()
    dsn = server.url(server.run_name)
    try:
        print("make bench: measuring reads", flush=True)
        measured = run.reads(
            config, dsn=dsn, info=info, environment=environment, work=work, notes=notes
        )
        print("make bench: one reminder tick", flush=True)
        tick = run.reminder_tick(run.TICK_AT)
        print(
            f"  {tick['tick_s']:.1f} s: {tick['notifications']} notifications, "
            f"{tick['emails']} e-mails",
            flush=True,
        )
        print(
            f"make bench: registering from {config.writers} connections, one at a time, then "
            f"in batches of {run.BATCH}",
            flush=True,
        )
        writes = run.registrations(config, info=info)
        print(
            f"  {writes['single']['registrations']} + {writes['batched']['registrations']} "
            "registrations; checking every number of the register",
            flush=True,
        )
        writes.update(run.numbering_check(dsn))
        print("make bench: covers per second through import_document", flush=True)
        intake = run.intake(notes)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop(admin, server.run_name)
    for op in measured["operations"]:
        if op["error_count"]:
            notes.append(
                f"{op['name']} ({op['caller']}): {op['error_count']} failed requests, "
                f"e.g. {op['errors'][0]}"
            )
        if op["mismatch_count"]:
            notes.append(
                f"{op['name']} ({op['caller']}): the floor's rows differ from the "
                f"API's on {op['mismatch_count']} pages, e.g. {op['mismatches'][0]}"
            )
    for mode in ("single", "batched"):
        if writes[mode]["refused"]:
            notes.append(
                f"registrations ({mode}): {writes[mode]['refused']} refused (validation or "
                "database errors)"
            )
    again = tick["again"]
    notes.append(
        f"reminders: one tick (send_reminders --now {tick['at']}) on the whole register stored "
        f"{tick['notifications']} notifications "
        f"({', '.join(f'{n} {rule}' for rule, n in tick['by_rule'].items())}) and rendered and "
        f"sent {tick['emails']} e-mails through Django's locmem e-mail backend instead of SMTP; "
        f"the same tick again took {again['seconds']:.1f} s, stored {again['notifications']} "
        f"and sent {again['emails']} more"
    )
    machine = {"cores": cpu_count(), "postgres": postgres}
    result = results.assemble(
        scale=config.scale,
        machine=machine,
        measured=measured,
        writes=writes,
        reminders=tick,
        intake=intake,
        notes=notes,
    )
    config.results.mkdir(parents=True, exist_ok=True)
    (config.results / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    details = {
        "build": built or {"reused": True, **{k: info.get(k) for k in ("rows", "timings")}},
        "writes": writes,
        "reminders": tick,
        "operations": [_summary(op) for op in measured["operations"]],
        "mixed_load": measured.get("mixed_load"),
        "workers_peak_rss": measured.get("workers_peak_rss"),
        "settings": {
            "workers": config.workers,
            "samples": config.samples,
            "op_seconds": config.op_seconds,
            "cases": config.cases,
        },
    }
    (config.results / "latest-details.json").write_text(json.dumps(details, indent=2) + "\n")
    print()
    print(results.markdown(result))
    return 0


def _summary(op: dict) -> dict:
    from bench.client import percentile

    return {
        "name": op["name"],
        "caller": op["caller"],
        "samples": len(op["latencies"]),
        "sql_p50_ms": percentile(op["sql"], 0.5),
        "livez_p50_ms": percentile(op["livez"], 0.5),
        "errors": op["errors"],
        "pages_compared": op.get("pages_compared"),
        "mismatches": op.get("mismatches"),
        "throughput": op.get("throughput"),
    }


if __name__ == "__main__":
    sys.exit(main())
