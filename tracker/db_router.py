"""Read replicas: which database each query goes to (``DATABASE_REPLICA_URLS``).

With no replica configured (the default, and always on SQLite) nothing here does anything:
every query goes to ``default``, as Django does on its own. With replicas, the rules are:

====================================================  ==========  =================================
what                                                  where       why
====================================================  ==========  =================================
writes                                                primary     replicas are read-only
reads inside a transaction (an atomic block)          primary     the transaction's snapshot, its
                                                                  locks and its own writes live
                                                                  there
reads after a write in the same request               primary     the replica may not have
                                                                  replayed the write yet
every read of a POST, PUT, PATCH or DELETE request    primary     what it writes is decided on
                                                                  what it reads
reads within ``DATABASE_REPLICA_STICKY_SECONDS`` of   primary     a clerk who just registered a
a request of the same browser that wrote (a signed                document sees it on the next
cookie)                                                           page
reads inside ``with primary():`` / ``@primary()``     primary     code that must read one
                                                                  current database: the changes
                                                                  feed, whose positions the
                                                                  sequencer hands out on the
                                                                  primary
reads outside a request (Celery tasks, management     primary     a task reads what it has just
commands, the shell), unless in ``replica_reads()``               written
any other read in a request                           a replica   spreads the read load
====================================================  ==========  =================================

A replica serves reads only while it answers and lags at most
``DATABASE_REPLICA_MAX_LAG_SECONDS`` behind the primary, checked at most every
``DATABASE_REPLICA_CHECK_SECONDS`` per process. Otherwise reads go to the primary and a warning
is logged; the caller never sees an error. One request reads one replica, chosen at its first
read. ``DATABASE_REPLICA_STICKY_SECONDS`` is at least the lag limit plus the check interval
(the settings refuse less), so after that long any replica still in use holds the write.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
# Set on the response to a request that wrote (POST, PUT, ...): reads of the next requests go
# to the primary until it is DATABASE_REPLICA_STICKY_SECONDS old.
STICKY_COOKIE = "read_primary"
_STICKY_SALT = "tracker.db_router.sticky"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class _Scope:
    """What one request (or one ``replica_reads()`` block) has done so far."""

    sticky: bool = False  # read the primary throughout (recent write, or a replica failed)
    wrote: bool = False  # a write was routed: the rest reads the primary
    replica: str | None = None  # the database this scope's routed reads go to, once chosen
    retried: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("tracker_replica_scope", default=None)
_pinned: ContextVar[bool] = ContextVar("tracker_primary_pinned", default=False)


def replicas() -> tuple[str, ...]:
    """The aliases of the configured replicas (empty: no replica).

    A replica that is the primary's own database is no replica: the test runner points every
    replica at the primary's test database (``TEST: {"MIRROR": "default"}``), and reading it
    through the primary's connection sees the test's own uncommitted rows.
    """
    configured = getattr(settings, "DATABASE_REPLICAS", ())
    if not configured:
        return ()
    primary = _where(connections[PRIMARY].settings_dict)
    return tuple(
        alias for alias in configured if _where(connections[alias].settings_dict) != primary
    )


def _where(database: dict) -> tuple:
    return (database.get("HOST"), str(database.get("PORT") or ""), database.get("NAME"))


@contextmanager
def primary():
    """Every read inside goes to the primary: ``with primary(): ...``, or as a decorator,
    ``@primary()`` (for a class-based view: ``@method_decorator(primary(), name="dispatch")``).

    For code that must read one consistent, current database, such as the changes feed: its
    positions are handed out on the primary, and a page mixing a change read there with a
    document read on a replica that has not replayed it yet would leave the change out and
    move the cursor past it.
    """
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


@contextmanager
def replica_reads(*, sticky: bool = False):
    """Reads inside may go to a replica, under the rules above (the request middleware opens
    one per request; a read-only batch job may open its own). ``sticky``: read the primary
    anyway (a recent write)."""
    scope = _Scope(sticky=sticky)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


class ReplicaRouter:
    """Sends reads to a healthy replica and everything else to the primary (rules above)."""

    def db_for_read(self, model, **hints) -> str | None:
        pool = replicas()
        if not pool:
            return None
        scope = _scope.get()
        if scope is None or scope.sticky or scope.wrote or _pinned.get():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if scope.replica is None:
            scope.replica = health.pick(pool) or PRIMARY
        return scope.replica

    def db_for_write(self, model, **hints) -> str | None:
        if not replicas():
            return None
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        """Rows read from a replica are the primary's rows: they may be linked to any other."""
        pool = {PRIMARY, *replicas()}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        """Replicas get their schema by replication, never by ``migrate``."""
        return False if db in getattr(settings, "DATABASE_REPLICAS", ()) else None


class ReplicaHealth:
    """Per process: which replicas may serve reads now, checked at most every
    ``DATABASE_REPLICA_CHECK_SECONDS`` (a monotonic clock; one check at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked: dict[str, tuple[float, str | None]] = {}  # alias: (when, problem)

    def pick(self, pool: tuple[str, ...]) -> str | None:
        """A replica that may serve reads, connected; None: read the primary."""
        candidates = [alias for alias in pool if self.usable(alias)]
        random.shuffle(candidates)
        for alias in candidates:
            if self._connected(alias):
                return alias
        return None

    def usable(self, alias: str) -> bool:
        with self._lock:
            checked = self._checked.get(alias)
            interval = settings.DATABASE_REPLICA_CHECK_SECONDS
            if checked is None or time.monotonic() - checked[0] >= interval:
                self._record(alias, replica_problem(alias))
            return self._checked[alias][1] is None

    def mark_down(self, alias: str, problem: str) -> None:
        """Skip ``alias`` until the next check (a failure seen outside a check)."""
        with self._lock:
            self._record(alias, problem)
        _close_quietly(alias)

    def forget(self) -> None:
        """Check every replica again at its next use."""
        with self._lock:
            self._checked = {
                alias: (float("-inf"), problem) for alias, (_, problem) in self._checked.items()
            }

    def _record(self, alias: str, problem: str | None) -> None:
        before = self._checked.get(alias, (0.0, None))[1]
        self._checked[alias] = (time.monotonic(), problem)
        if problem is not None:
            logger.warning("Replica %s %s: its reads go to the primary.", alias, problem)
        elif before is not None:
            logger.info("Replica %s serves reads again.", alias)

    def _connected(self, alias: str) -> bool:
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as error:
            self.mark_down(alias, f"cannot be reached ({_first_line(error)})")
            return False
        return True


health = ReplicaHealth()


def replica_problem(alias: str) -> str | None:
    """Why ``alias`` may not serve reads now, or None when it may.

    Lag is zero when the replica has replayed the primary's current WAL position; otherwise it
    is the age of the last transaction it replayed (``pg_last_xact_replay_timestamp()``). A
    database not in recovery is not replaying anything, so it is as current as it gets (the
    test suite's mirror of the primary is one).
    """
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (primary_lsn,) = cursor.fetchone()
    except DatabaseError as error:
        return f"cannot be compared with the primary ({_first_line(error)})"
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [str(primary_lsn)],
            )
            in_recovery, caught_up, lag = cursor.fetchone()
    except DatabaseError as error:
        _close_quietly(alias)
        return f"cannot be reached ({_first_line(error)})"
    limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    if not in_recovery or caught_up:
        return None
    if lag is None:
        return "is behind the primary and has replayed no transaction since it started"
    if float(lag) > limit:
        return f"lags {float(lag):.3f} s behind the primary (limit {limit:g} s)"
    return None


class ReplicaRoutingMiddleware:
    """Opens the routing scope of each request (first in ``MIDDLEWARE``, so that it covers
    the session and the user too). A request with an unsafe method (POST...) reads the primary
    throughout: what it writes is decided on what it reads. After one that wrote, sets the
    cookie that keeps the browser's next reads on the primary for a while.

    A replica failing in the middle of a read-only request (after the check said it was fine)
    is marked down and the view runs again on the primary: nothing was written, since reads
    after a write never go to a replica.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        unsafe = request.method not in _SAFE_METHODS
        with replica_reads(sticky=unsafe or _wrote_recently(request)) as scope:
            response = self.get_response(request)
        if scope.wrote and unsafe:
            response.set_signed_cookie(
                STICKY_COOKIE, "1", salt=_STICKY_SALT,
                max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )  # fmt: skip
        return response

    def process_exception(self, request, exception):
        scope = _scope.get()
        if (
            scope is None
            or scope.retried
            or scope.wrote
            or scope.replica in (None, PRIMARY)
            or request.method not in _SAFE_METHODS
            or not isinstance(exception, (OperationalError, InterfaceError))
            or not connections[scope.replica].errors_occurred
            or request.resolver_match is None
        ):
            return None
        health.mark_down(scope.replica, f"failed during a request ({_first_line(exception)})")
        scope.retried = scope.sticky = True
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response


def _wrote_recently(request) -> bool:
    max_age = settings.DATABASE_REPLICA_STICKY_SECONDS
    return (
        request.get_signed_cookie(STICKY_COOKIE, default=None, salt=_STICKY_SALT, max_age=max_age)
        is not None
    )


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        connections[alias].connection = None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
