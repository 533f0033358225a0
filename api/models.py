"""API tokens: how delegations' systems authenticate to the REST API.

A key is shown once, when it is issued (``manage.py issue_token``); only its SHA-256 digest and
its first characters (to recognise it in the admin) are stored.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

# Every key starts with this marker, so that a leaked key is recognisable (secret scanners,
# log reviews) and a key pasted into the wrong place is easy to spot.
KEY_MARKER = "ctk_"
# Characters of the key kept in clear (marker included): enough to tell tokens apart.
PREFIX_LENGTH = 12
_PREFIX_PATTERN = rf"^{KEY_MARKER}[A-Za-z0-9_-]{{{PREFIX_LENGTH - len(KEY_MARKER)}}}$"
_SHA256_HEX_PATTERN = r"^[0-9a-f]{64}$"


def key_hash(key: str) -> str:
    """The stored digest of ``key``.

    A plain SHA-256 is enough: keys carry 256 random bits, so there is nothing to guess and no
    need for a slow password hash (which would cost a hash per API request). Looking the digest
    up through a unique index also avoids comparing secrets character by character.
    """
    return hashlib.sha256(key.encode()).hexdigest()


class APITokenQuerySet(models.QuerySet):
    def live(self) -> "APITokenQuerySet":
        """Tokens that authenticate now: not revoked and not expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class APIToken(models.Model):
    # A token is part of the user account: it goes with it (tokens are revoked, not deleted,
    # while the account exists).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, blank=True, help_text="what the token is for, e.g. BE mirror"
    )
    prefix = models.CharField(
        max_length=PREFIX_LENGTH,
        unique=True,
        editable=False,
        help_text="the first characters of the key, to recognise it",
    )
    # The key itself is never stored.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="empty: never expires")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Updated at most once a minute (api.services.token_used), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = APITokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_hash__regex=_SHA256_HEX_PATTERN),
                name="%(app_label)s_%(class)s_key_hash_sha256_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(prefix__regex=_PREFIX_PATTERN),
                name="%(app_label)s_%(class)s_prefix_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state(self) -> str:
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired else "live"
