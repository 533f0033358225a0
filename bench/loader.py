"""Rows to PostgreSQL, fast: COPY text files per table, indexes and constraints rebuilt after.

``Tables`` receives rows as ``(Model, {attname: value})`` and writes each table's rows to a
file in COPY text format. ``load()`` then streams the files into PostgreSQL with psycopg's
``cursor.copy()`` (``COPY ... FROM STDIN``), on two connections at once, and either

- ``rebuild`` (the default, faster; see README): drops the tables' indexes and constraints,
  copies into freshly truncated tables with ``FREEZE`` (rows are written frozen, so no vacuum
  has to rewrite them later), and re-creates every index and constraint from the definitions
  PostgreSQL itself reported, which validates every CHECK and foreign key against the rows; or
- ``keep``: copies into the tables with everything in place, parents before children.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import models

logger = logging.getLogger("bench")


class GeneratorError(Exception):
    """A row does not fit its model: the generator is out of date with a migration."""


def _text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


_FORMAT = {
    str: _text,
    int: str,
    float: repr,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    datetime.datetime: datetime.datetime.isoformat,
    datetime.date: datetime.date.isoformat,
}


@dataclass
class TableFile:
    model: type[models.Model]
    path: Path
    columns: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    defaults: list[object] = field(default_factory=list)
    rows: int = 0
    handle: object = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def prepare(self, values: dict) -> None:
        """Columns from the model; defaults for what the row leaves out; refuse the rest."""
        label = self.model._meta.label
        fields = self.model._meta.concrete_fields
        known = {f.attname for f in fields}
        if unknown := sorted(set(values) - known):
            raise GeneratorError(
                f"bench/rows.py gives {label} field(s) {', '.join(unknown)} that the model does "
                "not have: update the function of that table"
            )
        for f in fields:
            if f.attname in values:
                default = None
            elif isinstance(f, models.AutoField | models.BigAutoField):
                continue  # the database numbers it (history_id)
            elif f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            else:
                raise GeneratorError(
                    f"bench/rows.py gives no value for {label}.{f.attname} (required, no "
                    "default): update the function of that table"
                )
            self.columns.append(f.column)
            self.names.append(f.attname)
            self.defaults.append(default)
        self.handle = self.path.open("w", encoding="utf-8", buffering=1 << 20)

    def write(self, values: dict) -> None:
        if self.handle is None:
            self.prepare(values)
        formats = _FORMAT
        try:
            line = "\t".join(
                [formats[type(v)](v) for v in map(values.get, self.names, self.defaults)]
            )
        except KeyError as error:
            raise GeneratorError(
                f"{self.model._meta.label}: cannot write a value of type {error} in {values!r:.300}"
            ) from None
        self.handle.write(line)
        self.handle.write("\n")
        self.rows += 1


class Tables:
    """Where ``bench.world`` puts its rows: one COPY file per table, in ``directory``."""

    def __init__(self, directory: Path, *, password_hash: str) -> None:
        self.directory = directory
        self.password_hash = password_hash
        self.files: dict[type[models.Model], TableFile] = {}
        self.historical: dict[type[models.Model], type[models.Model]] = {}

    def _file(self, model) -> TableFile:
        table = self.files.get(model)
        if table is None:
            table = TableFile(model, self.directory / f"{model._meta.db_table}.copy")
            self.files[model] = table
        return table

    def add(self, row) -> None:
        model, values = row
        self._file(model).write(values)

    def history(self, row, *, at: float, kind: str, user: int | None, reason: str | None = None):
        """The django-simple-history row a service's save (or bulk_create_with_history) writes."""
        model, values = row
        historical = self.historical.get(model)
        if historical is None:  # the manager is built anew on every access: look it up once
            historical = self.historical[model] = model.history.model
        self._file(historical).write(
            {
                **values,
                "history_date": datetime.datetime.fromtimestamp(at, datetime.UTC),
                "history_type": kind,
                "history_user_id": user,
                "history_change_reason": reason,
            }
        )

    def close(self) -> list[TableFile]:
        for table in self.files.values():
            if table.handle is not None:
                table.handle.close()
        return [t for t in self.files.values() if t.rows]


# --- loading ------------------------------------------------------------------------------


def _session(connection: psycopg.Connection) -> None:
    connection.execute("SET synchronous_commit = off")
    connection.execute("SET maintenance_work_mem = '512MB'")


def _copy(dsn: str, table: TableFile, *, freeze: bool) -> float:
    started = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        _session(connection)
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with connection.cursor() as cursor:
            if freeze:
                cursor.execute(f'TRUNCATE "{table.table}"')
            options = " WITH (FREEZE)" if freeze else ""
            with (
                cursor.copy(f'COPY "{table.table}" ({columns}) FROM STDIN{options}') as copy,
                table.path.open("rb") as source,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        connection.commit()
    table.path.unlink()
    return time.perf_counter() - started


@dataclass
class Definitions:
    """The indexes and constraints of some tables, as PostgreSQL reports them."""

    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)
    keys: list[tuple[str, str, str]]  # primary keys, unique and exclusion constraints
    checks: list[tuple[str, str, str]]
    indexes: list[tuple[str, str, str]]  # (table, name, CREATE INDEX ...)


def definitions(connection: psycopg.Connection, tables: list[str]) -> Definitions:
    constraints = connection.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%(t)s::regclass[])
           OR (c.contype = 'f' AND c.confrelid = ANY(%(t)s::regclass[]))
        ORDER BY 1, 2
        """,
        {"t": tables},
    ).fetchall()
    indexes = connection.execute(
        """
        SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,
               pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%(t)s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                          AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
        ORDER BY 1, 2
        """,
        {"t": tables},
    ).fetchall()
    by_kind: dict[str, list] = {"f": [], "k": [], "c": []}
    for table, name, kind, definition in constraints:
        if kind == "n":  # NOT NULL (PostgreSQL 17+ lists them): a column property, kept
            continue
        by_kind["f" if kind == "f" else "c" if kind == "c" else "k"].append(
            (table, name, definition)
        )
    return Definitions(by_kind["f"], by_kind["k"], by_kind["c"], list(indexes))


def _quoted(table: str) -> str:
    return table if table.startswith('"') else f'"{table}"'


def drop(connection: psycopg.Connection, found: Definitions) -> None:
    for table, name, _definition in found.foreign_keys + found.checks + found.keys:
        connection.execute(f'ALTER TABLE {_quoted(table)} DROP CONSTRAINT IF EXISTS "{name}"')
    for _table, name, _definition in found.indexes:
        connection.execute(f"DROP INDEX IF EXISTS {name}")
    connection.commit()


def recreate(dsn: str, found: Definitions, *, workers: int, sizes: dict[str, int]) -> None:
    """Keys, indexes and checks table by table on ``workers`` connections (largest tables
    first), then the foreign keys one at a time (each locks two tables)."""
    per_table: dict[str, list[str]] = {}
    for table, name, definition in found.keys + found.checks:
        per_table.setdefault(table, []).append(
            f'ALTER TABLE {_quoted(table)} ADD CONSTRAINT "{name}" {definition}'
        )
    for table, _name, definition in found.indexes:
        per_table.setdefault(table, []).append(definition)
    # Keys first within a table: checks and indexes then read a table whose pages are cached.
    order = sorted(per_table, key=lambda t: -sizes.get(t.strip('"'), 0))
    lock = threading.Lock()

    def work() -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            _session(connection)
            while True:
                with lock:
                    if not order:
                        return
                    table = order.pop(0)
                for statement in per_table[table]:
                    connection.execute(statement)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(work) for _ in range(workers)]:
            future.result()
    with psycopg.connect(dsn, autocommit=True) as connection:
        _session(connection)
        for table, name, definition in found.foreign_keys:
            connection.execute(f'ALTER TABLE {_quoted(table)} ADD CONSTRAINT "{name}" {definition}')


def load(dsn: str, tables: list[TableFile], *, mode: str, load_order, workers: int = 2) -> dict:
    """Copy the files into the database; returns timings in seconds."""
    timings: dict[str, float] = {}
    names = [t.table for t in tables]
    started = time.perf_counter()
    if mode == "rebuild":
        with psycopg.connect(dsn) as connection:
            found = definitions(connection, names)
            drop(connection, found)
        timings["drop"] = time.perf_counter() - started
        started = time.perf_counter()
        largest_first = sorted(tables, key=lambda t: -t.path.stat().st_size)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(_copy, dsn, t, freeze=True) for t in largest_first]:
                future.result()
        timings["copy"] = time.perf_counter() - started
        started = time.perf_counter()
        recreate(dsn, found, workers=workers, sizes={t.table: t.rows for t in tables})
        timings["indexes_and_constraints"] = time.perf_counter() - started
    elif mode == "keep":
        rank = {model._meta.db_table: n for n, model in enumerate(load_order)}
        # History tables have no foreign keys to their records: after everything else.
        ordered = sorted(tables, key=lambda t: rank.get(t.table, len(rank)))
        # What the migrations wrote into a table the generator writes too (the lead times of
        # 0007): the generator writes it again, so it goes first (children before parents).
        with psycopg.connect(dsn) as connection:
            for table in reversed(ordered):
                connection.execute(f'DELETE FROM "{table.table}"')
        for table in ordered:
            _copy(dsn, table, freeze=False)
        timings["copy"] = time.perf_counter() - started
    else:
        raise ValueError(f"unknown index mode {mode!r}: rebuild or keep")
    return timings


def dsn_of(settings_dict: dict) -> str:
    parts = {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": settings_dict.get("PORT") or 5432,
        "user": settings_dict.get("USER") or "postgres",
        "dbname": settings_dict["NAME"],
    }
    if settings_dict.get("PASSWORD"):
        parts["password"] = settings_dict["PASSWORD"]
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in parts.items()})


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
