"""``/healthz``: is the app up, and can it reach what it depends on?

Each dependency is checked on its own and reported as JSON::

    {"status": "ok" | "degraded" | "down",
     "checks": {"database": {"status": "ok"},
                "cache": {"status": "down", "error": "ConnectionError"},
                "broker": {"status": "ok"}}}

- ``database`` down: 503 (nothing can be served; load balancers and the container health check
  take the instance out).
- ``cache`` or ``broker`` down: 200 and ``"degraded"``: reads are still served (API throttling
  counts per process meanwhile, see ``api.throttling``), queued jobs wait.
- A broker that is not configured (tasks run eagerly, the demo) is ``"not-configured"``.

Errors are reported by exception class only: the page is public, and connection errors may
name hosts or users.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Seconds a broker check may take (the container health check gives the whole page 3).
BROKER_TIMEOUT = 1.0


def _ok() -> dict:
    return {"status": "ok"}


def _down(error: BaseException) -> dict:
    return {"status": "down", "error": type(error).__name__}


def database_check() -> dict:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        connection.close_if_unusable_or_obsolete()
        return _down(error)
    return _ok()


def cache_check() -> dict:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as error:  # any backend, any failure: reported, not raised
        return _down(error)
    return _ok() if found == value else {"status": "down", "error": "value not kept"}


def broker_check() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"status": "not-configured"}
    from kombu import Connection

    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT,
            transport_options={"socket_timeout": BROKER_TIMEOUT},
        ) as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT
            )
    except Exception as error:  # any transport, any failure: reported
        return _down(error)
    return _ok()


CHECKS = {"database": database_check, "cache": cache_check, "broker": broker_check}
# What a dependency may report without making the whole degraded.
FINE = {"ok", "not-configured"}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Every dependency's state; 503 when the database is down, 200 otherwise."""
    checks = {name: check() for name, check in CHECKS.items()}
    if checks["database"]["status"] != "ok":
        status, code = "down", 503
    elif all(check["status"] in FINE for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "checks": checks}, status=code)
