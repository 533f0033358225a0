"""Build stage (a subprocess of ``python -m bench``): migrate a fresh database, tell the story,
load it, and mark the data set complete.

    python -m bench.build --scale N --mode rebuild --report build.json

The caller points ``DATABASE_URL`` at the empty database to build into, and gives the
production settings what they need (``SECRET_KEY``...). Nothing here decides whether to build:
``bench.database`` does, from the fingerprint this stage writes last.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--mode", choices=("rebuild", "keep"), default="rebuild")
    parser.add_argument("--fingerprint", required=True)
    parser.add_argument("--report", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    from bench import rows, world
    from bench.database import fingerprint_write
    from bench.loader import Tables, dsn_of, load

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("setup_roles", verbosity=0)
    timings["migrate"] = time.perf_counter() - started

    directory = Path(tempfile.mkdtemp(prefix="bench-rows-"))
    try:
        started = time.perf_counter()
        tables = Tables(directory, password_hash=make_password(world.PASSWORD))
        register = world.Register(
            scale=args.scale, seed=args.seed, out=tables, groups=rows.group_ids()
        )
        info = register.tell()
        files = tables.close()
        timings["generate"] = time.perf_counter() - started
        row_count = sum(t.rows for t in files)
        print(f"  generated {row_count:,} rows in {timings['generate']:.1f} s", flush=True)

        dsn = dsn_of(connection.settings_dict)
        connection.close()
        started = time.perf_counter()
        timings.update(load(dsn, files, mode=args.mode, load_order=rows.LOAD_ORDER))
        timings["load"] = time.perf_counter() - started
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    started = time.perf_counter()
    models = [t.model for t in files]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    connection.close()
    with _autocommit(dsn) as admin:
        admin.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    tables_rows = {t.table: t.rows for t in files}
    info["empty_tables"] = _left_empty(set(tables_rows))
    info["tables"] = tables_rows
    info["rows"] = row_count
    info["mode"] = args.mode
    info["timings"] = timings
    with _autocommit(dsn) as admin:
        fingerprint_write(admin, fingerprint=args.fingerprint, scale=args.scale, info=info)
    args.report.write_text(json.dumps(info, indent=2, default=str))
    return 0


# Tables the register fills as it is used, not when documents are registered: the read audit,
# the outbox and the jobs' heartbeats.
FILLED_BY_USE = {"documents_documentread", "documents_notification", "documents_heartbeat"}


def _left_empty(written: set[str]) -> list[str]:
    """The project's tables the generator wrote nothing to (a new model: add it to rows.py)."""
    from django.apps import apps

    tables = {
        model._meta.db_table
        for app in ("documents", "api")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.proxy and model._meta.managed
    }
    return sorted(tables - written - FILLED_BY_USE)


def _autocommit(dsn: str):
    import psycopg

    return psycopg.connect(dsn, autocommit=True)


if __name__ == "__main__":
    sys.exit(main())
