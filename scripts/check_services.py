"""Fail early, and say why, when the PostgreSQL or Redis the test suite needs is not there."""

import os
import sys
from urllib.parse import urlsplit

import psycopg
import redis

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker")
REDIS_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")


def check_postgres() -> str | None:
    url = urlsplit(DATABASE_URL)
    try:
        # The server's maintenance database: the test database is made by the suite itself.
        with psycopg.connect(
            host=url.hostname,
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password,
            dbname="postgres",
            connect_timeout=3,
        ) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as error:
        return (
            f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432} ({error}).\n"
            "  Start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start"
        )
    print(f"PostgreSQL {version} at {url.hostname}:{url.port or 5432}: ok")
    return None


def check_redis() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return (
            f"Redis is not reachable at {REDIS_URL} ({error}).\n"
            '  Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" '
            "--appendonly no"
        )
    print(f"Redis at {REDIS_URL}: ok")
    return None


def main() -> int:
    problems = [p for p in (check_postgres(), check_redis()) if p]
    for problem in problems:
        print(f"make test needs a running service: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
