"""The benchmark's databases: the complete data set, the one being built, the one measured.

For ``BENCH_DATABASE_URL=.../tracker_bench``:

- ``tracker_bench``: a complete data set, and only ever that. Its ``bench_build`` table holds
  the fingerprint (SCALE, seed, generator version, a hash of every migration file) it was
  built with; a run whose fingerprint matches skips the build.
- ``tracker_bench_build``: a build in progress. The fingerprint is written last, and only
  then is the database renamed to ``tracker_bench``: an interrupted build is never measured.
- ``tracker_bench_run``: a copy of the complete data set, made for each run (the API records
  reads, and registrations add documents); dropped at the end, so every run starts equal.

No server setting is changed: everything here is per database or per session.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
# Apps whose migrations shape the data set (third-party ones move with requirements.txt).
MIGRATION_GLOBS = ("*/migrations/*.py",)


class BenchError(Exception):
    """Bad input or an unusable environment: reported in one line, exit status 2."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str | None
    name: str  # the complete data set's database

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlsplit(url)
        name = unquote(parts.path.lstrip("/"))
        if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
            raise BenchError(
                f"BENCH_DATABASE_URL must be postgres://user@host:port/name, not {url!r}"
            )
        if len(name) > 50 or not name.replace("_", "").isalnum():
            raise BenchError(f"database name {name!r}: letters, digits and _ only, 50 at most")
        return cls(
            parts.hostname or "127.0.0.1",
            parts.port or 5432,
            unquote(parts.username or "postgres"),
            unquote(parts.password) if parts.password else None,
            name,
        )

    @property
    def build_name(self) -> str:
        return f"{self.name}_build"

    @property
    def run_name(self) -> str:
        return f"{self.name}_run"

    def url(self, name: str) -> str:
        password = f":{self.password}" if self.password else ""
        return f"postgres://{self.user}{password}@{self.host}:{self.port}/{name}"

    def connect(self, name: str = "postgres", **options) -> psycopg.Connection:
        try:
            return psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                dbname=name,
                connect_timeout=5,
                **options,
            )
        except psycopg.OperationalError as error:
            reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no answer"
            raise BenchError(
                f"PostgreSQL at {self.host}:{self.port} (database {name}) is not reachable: "
                f"{reason}. Start it, or point BENCH_DATABASE_URL at one that is."
            ) from None


def migrations_hash() -> str:
    digest = hashlib.sha256()
    for pattern in MIGRATION_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "requirements.txt").read_bytes())
    return digest.hexdigest()[:16]


def fingerprint_of(*, scale: int, seed: int, generator: str) -> str:
    return f"scale={scale} seed={seed} generator={generator} migrations={migrations_hash()}"


def exists(admin: psycopg.Connection, name: str) -> bool:
    return bool(admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def fingerprint_read(server: Server, name: str) -> dict | None:
    """The fingerprint of a complete data set in ``name``; None if there is none."""
    with server.connect(name, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_tables WHERE tablename = 'bench_build'"
        ).fetchone()
        if not found:
            return None
        row = connection.execute(
            "SELECT fingerprint, scale, info FROM bench_build WHERE complete"
        ).fetchone()
    if row is None:
        return None
    return {"fingerprint": row[0], "scale": row[1], "info": row[2]}


def fingerprint_write(connection: psycopg.Connection, *, fingerprint: str, scale: int, info):
    connection.execute(
        "CREATE TABLE bench_build (fingerprint text NOT NULL, scale bigint NOT NULL, "
        "info jsonb NOT NULL, complete boolean NOT NULL, built_at timestamptz NOT NULL)"
    )
    connection.execute(
        "INSERT INTO bench_build VALUES (%s, %s, %s, true, now())",
        [fingerprint, scale, json.dumps(info, default=str)],
    )


def drop(admin: psycopg.Connection, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create(
    admin: psycopg.Connection, name: str, *, template: str | None = None, large: bool = False
) -> None:
    if template is None:
        admin.execute(f'CREATE DATABASE "{name}"')
        return
    # FILE_COPY copies the files (after a checkpoint) instead of logging every block: much
    # faster for gigabytes, slower than WAL_LOG for a small database on a busy server.
    strategy = "FILE_COPY" if large else "WAL_LOG"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY {strategy}')


def rename(admin: psycopg.Connection, old: str, new: str) -> None:
    admin.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')


def size(admin: psycopg.Connection, name: str) -> int:
    return admin.execute("SELECT pg_database_size(%s)", [name]).fetchone()[0]


def lock(admin: psycopg.Connection, name: str) -> None:
    """One benchmark at a time per data set (held while ``admin`` stays open)."""
    key = int(hashlib.sha256(f"bench:{name}".encode()).hexdigest()[:15], 16)
    if not admin.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
        raise BenchError(f"another make bench is running on {name}: wait for it to finish")
