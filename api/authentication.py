"""``Authorization: Token <key>``: how delegations' systems call the API.

A request without an ``Authorization`` header is anonymous (or a signed-in session). A request
that carries one tried to authenticate: anything but ``Token <live key>`` (another scheme such
as ``Bearer`` or ``Basic``, a bare key, an empty value, an unknown, expired or revoked key) is
refused with 401 and a message saying what is expected, never answered as anonymous.

DRF authenticates before it throttles, so a refused request never reaches the throttle: each
refusal is counted here instead, per client address in the anonymous bucket (a caller with
bad credentials is an anonymous caller). Over the anonymous rate the answer is 429 with
``Retry-After``, so keys cannot be guessed faster than anonymous requests are served.
"""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.models import APIToken, key_hash
from api.services import token_used
from api.throttling import TokenRateThrottle

KEYWORD = "Token"
EXPECTED = f"expected 'Authorization: {KEYWORD} <key>'"
# A scheme name worth repeating back to the caller (never an arbitrary header value).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,19}$")


def refused(request, problem: str) -> exceptions.APIException:
    """The error for a failed authentication: 401 saying what is expected, or 429 once the
    client address has used up the anonymous rate (failures count as anonymous requests)."""
    throttle = TokenRateThrottle()
    if not throttle.allow_anonymous(request):
        return exceptions.Throttled(wait=throttle.wait())
    return exceptions.AuthenticationFailed(f"{problem}; {EXPECTED}")


class TokenAuthentication(BaseAuthentication):
    """Authenticates ``Authorization: Token <key>``; returns ``(user, token)``.

    No ``Authorization`` header: left to the next authentication class (a session, or
    anonymous). Any other ``Authorization`` header answers 401 (or 429, see ``refused``).
    """

    def authenticate(self, request):
        if "HTTP_AUTHORIZATION" not in request.META:
            return None
        header = request.META["HTTP_AUTHORIZATION"]
        words = header.split()
        if not words:
            raise refused(request, "empty Authorization header")
        if words[0].lower() != KEYWORD.lower():
            if len(words) == 1:
                raise refused(request, "no authorization scheme before the credentials")
            scheme = words[0] if _SCHEME.match(words[0]) else "this"
            raise refused(request, f"the {scheme} authorization scheme is not accepted")
        if len(words) != 2:
            raise refused(request, "invalid token header: one key after 'Token ', no spaces")
        if not words[1].isascii() or not words[1].isprintable():
            raise refused(request, "invalid token")
        return self.authenticate_credentials(words[1], request)

    def authenticate_credentials(self, key: str, request):
        # The digest is looked up through a unique index: the key is never compared as text.
        token = APIToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
        if token is None:
            raise refused(request, "invalid token")
        if token.is_revoked:
            raise refused(request, "token revoked")
        if token.is_expired:
            raise refused(request, "token expired")
        if not token.user.is_active:
            raise refused(request, "user inactive")
        token_used(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        """Makes unauthenticated requests answer 401 with ``WWW-Authenticate: Token``."""
        return KEYWORD


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes ``TokenAuthentication`` in the OpenAPI schema (registered on import)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
