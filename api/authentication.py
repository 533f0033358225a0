"""``Authorization: Token <key>``: how delegations' systems call the API."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.models import APIToken, key_hash
from api.services import token_used

KEYWORD = "Token"


class TokenAuthentication(BaseAuthentication):
    """Authenticates ``Authorization: Token <key>``; returns ``(user, token)``.

    Any other header (no header, ``Bearer``, ``Basic``...) is left to the next authentication
    class. A token header that does not authenticate answers 401, never anonymous access.
    """

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                "invalid token header: give the key after 'Token ', with no spaces"
            )
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("invalid token") from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str):
        # The digest is looked up through a unique index: the key is never compared as text.
        token = APIToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("invalid token")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed("token revoked")
        if token.is_expired:
            raise exceptions.AuthenticationFailed("token expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("user inactive")
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
