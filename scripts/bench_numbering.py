"""Benchmark: registrations per second through the gap-free numbering, on PostgreSQL.

Creates a scratch database (``tracker_bench``), registers documents with three subject codes
each from 1 and from 4 concurrent connections, checks the numbers are gap-free, prints the
throughput and drops the database. Numbers here are for comparison between commits on the same
machine, never assertions in the test suite.

    make bench            # or: python scripts/bench_numbering.py --documents 400
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench"
)

import django

django.setup()

import datetime  # noqa: E402

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

CODES = ["JAI", "ENFOPOL", "CRIMORG", "CODEC"]


def admin_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
        autocommit=True,
    )  # fmt: skip


def register_many(count: int, threads: int, year: int) -> float:
    from documents.services import document_register

    def work(share: int) -> None:
        try:
            for i in range(share):
                document_register(
                    date=datetime.date(year, 1, 1), document_type="NOTE", originator="Presidency",
                    recipients="Delegations", subject=f"bench {i}",
                    subject_codes=CODES[: 1 + i % len(CODES)],
                )  # fmt: skip
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(count // threads,)) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=400)
    args = parser.parse_args()
    name = settings.DATABASES["default"]["NAME"]
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        call_command("migrate", verbosity=0)
        from documents.models import Document, SubjectCode

        for code in CODES:
            SubjectCode.objects.get_or_create(code=code)
        for year, threads in ((2030, 1), (2031, 4)):
            seconds = register_many(args.documents, threads, year)
            numbers = sorted(Document.objects.filter(year=year).values_list("number", flat=True))
            assert numbers == list(range(1, len(numbers) + 1)), "numbers are not gap-free"
            print(
                f"{threads} connection(s): {len(numbers)} registrations in {seconds:.2f} s = "
                f"{len(numbers) / seconds:.0f}/s ({1000 * seconds / len(numbers):.1f} ms each)"
            )
    finally:
        connections.close_all()
        with admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
