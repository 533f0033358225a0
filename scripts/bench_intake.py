"""Benchmark: covers per second through ``import_document`` of a folder, on PostgreSQL.

Generates a folder of cover pages (text files, DOMAIN.md's layouts, each with its subject codes
and numbers, procedures and citations), creates a scratch database, imports the folder with 1
and with N worker processes (a fresh database each time), checks every cover was registered
with its file, prints covers per second and drops the database. The issue-8 target is 500/s
(the Council's 460,000-document register in well under an hour). Numbers are for comparison on
the same machine, never assertions in the test suite.

    python scripts/bench_intake.py --covers 3000 --workers 2
"""

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_INTAKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_intake_bench"
)

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from tests.documents.intake.covers import (  # noqa: E402
    LAYOUTS,
    NOTE,
    WK,
    codes,
    doc,
)

CODES = ("JAI", "ENFOPOL", "CRIMORG", "IXIM", "CODEC", "CFSP/PESC", "CRS CRP")


def admin_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
        autocommit=True,
    )  # fmt: skip


def database_fresh() -> None:
    connections.close_all()
    name = settings.DATABASES["default"]["NAME"]
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    from documents.models import SubjectCode
    from tests.factories import ProcedureFactory

    SubjectCode.objects.bulk_create([SubjectCode(code=code) for code in CODES])
    ProcedureFactory(year=2023, number=452)
    ProcedureFactory(year=2022, number=155)
    ProcedureFactory(year=2017, number=125)


def database_drop() -> None:
    connections.close_all()
    with admin_connection() as admin:
        name = settings.DATABASES["default"]["NAME"]
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def covers_generate(folder: Path, count: int) -> None:
    """ST notes (numbered codes, a procedure, citations) and WK documents, in every layout
    but the one the parser cannot read without a warning, 100 a folder."""
    layouts = [name for name in LAYOUTS if name != "separated"]
    for index in range(count):
        if index % 5 == 4:
            spec = replace(WK, reference=doc(f"WK {1000 + index}/2022 INIT"),
                           subject=f"Presentations made at meeting {index}")  # fmt: skip
        else:
            spec = replace(
                NOTE, reference=doc(f"{1000 + index}/24"),
                codes=codes(f"JAI {1000 + index}", f"CODEC {1000 + index}",
                            f"CFSP/PESC {1000 + index}"),
                cited=(doc(f"{900 + index % 100}/23"), doc(f"WK {index + 1}/2023")),
                subject=f"Case studies number {index} for the working party",
            )  # fmt: skip
        path = folder / f"{index // 100:03d}" / f"{index:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LAYOUTS[layouts[index % len(layouts)]](spec), encoding="utf-8")


def import_timed(folder: Path, workers: int, count: int, media: Path) -> float:
    from documents.models import Document, DocumentFile

    database_fresh()
    settings.MEDIA_ROOT = str(media / f"w{workers}")
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    call_command(
        "import_document", str(folder), "--workers", str(workers), "--verbosity", "0",
        "--report", str(media / f"report-{workers}.csv"), stdout=out, stderr=err,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    registered = Document.objects.count()
    files = DocumentFile.objects.count()
    if registered != count or files != count:
        raise SystemExit(f"expected {count} documents with files, got {registered} and {files}")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--covers", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        folder = scratch / "register"
        covers_generate(folder, args.covers)
        for workers in sorted({1, args.workers}):
            rate = import_timed(folder, workers, args.covers, scratch)
            print(
                f"import_document: {args.covers} covers, {workers} worker(s): {rate:7.1f} covers/s"
            )
    finally:
        database_drop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
