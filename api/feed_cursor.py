"""The changes feed's cursor: opaque, so that nobody can count the changes they may not see.

A plain position would tell a reader how many changes happened between two of their reads,
hidden documents included. The cursor is the position encrypted (Fernet, keyed from
SECRET_KEY), and it only moves past changes the reader was shown (see ChangesView).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from rest_framework.exceptions import ValidationError


def _fernet() -> Fernet:
    key = hashlib.sha256(f"changes-feed-cursor:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def cursor_encode(position: int) -> str:
    return _fernet().encrypt(str(position).encode()).decode()


def cursor_decode(cursor: str) -> int:
    try:
        position = int(_fernet().decrypt(cursor.encode("ascii")))
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise ValidationError(
            {"after": ["invalid cursor: use the cursor or next link of the last page"]}
        ) from error
    if position < 0:
        raise ValidationError({"after": ["invalid cursor"]})
    return position
