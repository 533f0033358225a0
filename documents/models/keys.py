"""Stable public keys of records that have no reference of their own (bodies, meetings).

Mirrors and URLs address records by these keys, never by database ids (which would let anyone
count what they may not see). A key is set once, when the record is created, and never changes.
"""

from django.db import models
from django.utils.text import slugify

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def unique_slug(model: type[models.Model], text: str, *, field: str = "slug") -> str:
    """``slugify(text)``, with ``-2``, ``-3``... when a record of ``model`` has it already."""
    base = slugify(text).strip("-")[:70].strip("-") or "record"
    taken = set(
        model.objects.filter(**{f"{field}__startswith": base}).values_list(field, flat=True)
    )
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key
