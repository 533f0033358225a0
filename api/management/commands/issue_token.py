import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.services import token_issue


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Issue an API token to a user and print its key (only the key, on standard output, so "
        "that it can be piped). The key is not stored and is never shown again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="the user the token authenticates as")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'BE mirror'")
        parser.add_argument(
            "--expires-in-days",
            type=_positive_int,
            default=None,
            metavar="N",
            help="the token stops working after N days (default: it does not expire)",
        )

    def handle(self, *args, username: str, name: str, expires_in_days: int | None, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive: no token is issued to them")
        expires_at = (
            timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        )
        try:
            token, key = token_issue(user=user, name=name, expires_at=expires_at)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(key)
        expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if expires_at else "no expiry"
        self.stderr.write(
            f"Token {token.prefix}… issued to {username} ({expiry}). Store the key now: "
            "it is not stored and cannot be shown again."
        )
