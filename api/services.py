"""Issuing, revoking and using API tokens. Every write to a token goes through here."""

import datetime
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import KEY_MARKER, PREFIX_LENGTH, APIToken, key_hash

# last_used_at is "used within this much of the stored time": one write a minute per token at
# most, not one per request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# Two keys sharing their first characters is unlikely (48 random bits); try again if it happens.
_ISSUE_ATTEMPTS = 3


def _key_new() -> str:
    return KEY_MARKER + secrets.token_urlsafe(32)


def token_issue(
    *, user: AbstractBaseUser, name: str = "", expires_at: datetime.datetime | None = None
) -> tuple[APIToken, str]:
    """A new token for ``user`` and its key: the key is returned once and never stored."""
    if not user.is_active:
        raise ValidationError({"user": f"{user} is inactive: no token is issued to them"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "the expiry must be in the future"})
    for attempt in range(_ISSUE_ATTEMPTS):
        key = _key_new()
        token = APIToken(
            user=user,
            name=name.strip(),
            prefix=key[:PREFIX_LENGTH],
            key_hash=key_hash(key),
            expires_at=expires_at,
        )
        token.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:
            if attempt + 1 == _ISSUE_ATTEMPTS:
                raise
            continue
        return token, key
    raise AssertionError("unreachable")  # pragma: no cover


def token_revoke(*, token: APIToken) -> APIToken:
    """Revoke ``token`` now. Revoking a revoked token keeps the first revocation time."""
    APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_used(*, token: APIToken) -> None:
    """Record that ``token`` authenticated a request (at most one write per minute)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # The condition in the query keeps concurrent requests from all writing.
    APIToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gt=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    token.last_used_at = now


def user_has_live_token(user: AbstractBaseUser) -> bool:
    """Whether ``user`` holds a token that would authenticate now (an inactive user holds none,
    as token authentication refuses inactive users)."""
    if not user.is_active or user.pk is None:
        return False
    return APIToken.objects.live().filter(user=user).exists()
