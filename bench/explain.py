"""What each operation asks PostgreSQL: one request per operation and caller, run in-process
against the complete data set (after the same request once, to warm caches), its queries
captured, the slowest ones ``EXPLAIN (ANALYZE, BUFFERS)``'d; what the request spent outside the
database (Python: views, serializers, templates) beside it; everything rolled back, so the data
set is left as it was.

    SCALE=20000 .venv/bin/python -m bench.explain [words of operation names...]

Writes ``bench/results/explain.txt`` (and prints it). Run ``make bench`` first: it builds the
data set this reads (``BENCH_DATABASE_URL``).
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from urllib.parse import quote

from bench.config import Config
from bench.database import BenchError

SLOWEST = 2  # queries explained per request
PLAN_LINES = 45


def main(argv: list[str]) -> int:
    try:
        config = Config.from_environment()
        server = config.server
        with server.connect(autocommit=True) as admin:
            from bench import database

            found = (
                database.fingerprint_read(server, server.name)
                if database.exists(admin, server.name)
                else None
            )
        if found is None:
            raise BenchError(f"no complete data set in {server.name}: run make bench first")
    except BenchError as error:
        print(f"bench.explain: {error}", file=sys.stderr)
        return 2
    from bench.run import SERVER_ENVIRONMENT

    os.environ.update(SERVER_ENVIRONMENT)
    os.environ.update(DATABASE_URL=server.url(server.name), SECRET_KEY=secrets.token_urlsafe(50))
    import django

    django.setup()
    report = explain(config, found["info"], words=[w.lower() for w in argv[1:]])
    out = config.results / "explain.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)
    return 0


def explain(config: Config, info: dict, *, words: list[str]) -> str:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.operations import OPERATIONS, sql_for

    lines: list[str] = [f"EXPLAIN of each operation on {config.server.name}", ""]
    for op in OPERATIONS:
        if words and not all(word in op.name.lower() for word in words):
            continue
        for caller in op.callers:
            with transaction.atomic():
                if isinstance(op.cases, str):
                    with connection.cursor() as cursor:
                        cursor.execute(sql_for(op.cases, caller), {"n": 1})
                        names = [c.name for c in cursor.description]
                        row = cursor.fetchone()
                    case = dict(zip(names, row, strict=True)) if row else None
                else:
                    case = dict(op.cases[0])
                if case is None:
                    lines.append(f"== {op.name} ({caller}): no case at this scale")
                    continue
                values = {**case, **(op.url_values(case) if op.url_values else {})}
                quoted = {k: quote(str(v), safe="") for k, v in values.items()}
                url = op.url.format(admin=settings.ADMIN_URL, **quoted)
                client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
                headers = {}
                if caller == "delegate":
                    headers["HTTP_AUTHORIZATION"] = f"Token {info['delegate']['token']}"
                elif caller == "clerk":
                    clerk = get_user_model().objects.get(username=info["clerk"]["username"])
                    client.force_login(clerk)
                client.get(url, **headers)  # caches, connections, the first-request costs
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url, **headers)
                    elapsed = (time.perf_counter() - started) * 1000
                queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
                total = sum(float(q["time"]) for q in queries) * 1000
                lines.append(
                    f"== {op.name} ({caller}): {url} -> {response.status_code} in "
                    f"{elapsed:.0f} ms, {len(queries)} queries taking {total:.0f} ms, "
                    f"{max(elapsed - total, 0):.0f} ms outside the database"
                )
                plans = []
                for query in queries:
                    if not query["sql"].lstrip().startswith("SELECT"):
                        continue
                    with connection.cursor() as cursor:
                        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                        plan = [r[0] for r in cursor.fetchall()]
                    executed = next(
                        (
                            float(p.split(":")[1].split()[0])
                            for p in plan
                            if p.startswith("Execution Time")
                        ),
                        0.0,
                    )
                    plans.append((executed, query["sql"], plan))
                # The slowest by what EXPLAIN ANALYZE measured (the captured times include the
                # round trips and whatever else the machine was doing).
                for executed, sql, plan in sorted(plans, key=lambda p: -p[0])[:SLOWEST]:
                    lines.append(f"-- {executed:.1f} ms: {sql[:700]}")
                    lines += [f"   {p}" for p in plan[:PLAN_LINES]]
                    if len(plan) > PLAN_LINES:
                        lines.append(f"   ... ({len(plan) - PLAN_LINES} more lines)")
                lines.append("")
                transaction.set_rollback(True)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
