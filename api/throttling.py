"""Rate limits: per token, per signed-in user, per client address for anonymous requests.

Over the limit the API answers 429 with ``Retry-After`` (DRF does that). The counts live in the
default cache, which must be shared by all the server's processes (Redis in production).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import APIToken


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
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}
