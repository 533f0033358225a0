"""Rate limits: per token, per signed-in user, per client address for anonymous requests.

Over the limit the API answers 429 with ``Retry-After`` (DRF does that). The counts live in the
default cache, which must be shared by all the server's processes (Redis in production).

When that cache cannot be reached (Redis down), reads keep being served: the counts fall back to
a cache local to the process, with a warning logged (at most once a minute per process). The
limits still hold, per process instead of shared, until the cache answers again.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import APIToken

logger = logging.getLogger(__name__)

# What a cache that cannot be reached raises (connection refused, timeouts, a Redis error).
CACHE_ERRORS = (RedisError, OSError)
# Counts kept while the shared cache is unreachable: this process only.
local_counts = LocMemCache("api-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
WARNING_INTERVAL = 60.0
_last_warning: float | None = None


def _warn_shared_cache_down(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if _last_warning is None or now - _last_warning >= WARNING_INTERVAL:
        _last_warning = now
        logger.warning(
            "API throttling: the shared cache is unreachable (%s); counting in this process "
            "until it answers again",
            type(error).__name__,
        )


class TokenRateThrottle(SimpleRateThrottle):
    """One throttle for every API request, whose scope depends on how the request came in:

    - ``token``: an API token, counted per token (two tokens of one user count apart);
    - ``user``: a signed-in session, counted per user;
    - ``anon``: no credentials (or credentials refused), counted per client address.

    A scope with no rate (or a rate of None) is not throttled.
    """

    def __init__(self):
        # The scope, and so the rate, is only known once the request is.
        pass

    def get_rate(self) -> str | None:
        # Read at call time, not when the class is defined (as SimpleRateThrottle.THROTTLE_RATES
        # is), so that changed settings (tests, reloads) apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if isinstance(request.auth, APIToken):
            self.scope, self.ident = "token", str(request.auth.pk)
        elif request.user and request.user.is_authenticated:
            self.scope, self.ident = "user", str(request.user.pk)
        else:
            self.scope, self.ident = "anon", self.get_ident(request)
        return self._allow(request, view)

    def allow_anonymous(self, request) -> bool:
        """Count a request as anonymous from its client address (a refused authentication,
        which DRF never hands to the throttles)."""
        self.scope, self.ident = "anon", self.get_ident(request)
        return self._allow(request, None)

    def _allow(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.cache = type(self).cache  # the shared cache, again, at every request
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            _warn_shared_cache_down(error)
            self.cache = local_counts
            return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}
