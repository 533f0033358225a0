"""Keyset pagination: a page at any depth is an index range, stable under concurrent writes.

Every list is ordered by a key that ends in a unique column (``date, id``; ``reference``;
``starts_at, id``...), and a page starts strictly after the last row of the one before: no
OFFSET, no sort of the whole table, no row seen twice or skipped when rows are added meanwhile.
The cursor is opaque (the last row's key, encrypted): it carries no database id anyone could
read. The ``ordering`` parameter picks one of the orderings a list offers; an unknown one, a bad
page size or a tampered cursor is a 400 naming the parameter.
"""

import base64
import datetime
import hashlib
import json
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

MAX_PAGE_SIZE = 500


def is_whole_number(text: str) -> bool:
    """ASCII digits only: ``"²".isdigit()`` is true, and ``int("²")`` fails."""
    return text.isascii() and text.isdecimal() and len(text) <= 18


def page_size_of(request, *, default: int, name: str = "page_size") -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not is_whole_number(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({name: [f"a whole number from 1 to {MAX_PAGE_SIZE}"]})
    return int(raw)


def _fernet(purpose: str) -> Fernet:
    key = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def token_encode(purpose: str, value) -> str:
    return _fernet(purpose).encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def token_decode(purpose: str, token: str, *, parameter: str = "cursor"):
    try:
        return json.loads(_fernet(purpose).decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise ValidationError(
            {parameter: ["invalid cursor: use the cursor or the next link of the last page"]}
        ) from error


def _dump(value):
    if isinstance(value, datetime.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    return value


def _load(value):
    if isinstance(value, list) and len(value) == 2 and value[0] in ("dt", "d"):
        parse = datetime.datetime if value[0] == "dt" else datetime.date
        return parse.fromisoformat(value[1])
    return value


def after(keys: tuple[str, ...], values: list) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (``-name``: descending), written
    so that an index on the keys serves it as one range (the first key bounds the scan)."""
    terms = []
    for i, key in enumerate(keys):
        name = key.lstrip("-")
        equal = {k.lstrip("-"): v for k, v in zip(keys[:i], values[:i], strict=True)}
        terms.append(Q(**equal, **{f"{name}__{'lt' if key.startswith('-') else 'gt'}": values[i]}))
    first = keys[0].lstrip("-")
    bound = Q(**{f"{first}__{'lte' if keys[0].startswith('-') else 'gte'}": values[0]})
    return bound & reduce(or_, terms)


class KeysetPagination(BasePagination):
    """``orderings``: the ``ordering`` values a list offers, each a key ending in a unique
    column; the first is the default."""

    page_size = 50
    orderings: dict[str, tuple[str, ...]] = {"id": ("id",)}
    purpose = "list-cursor"
    with_count = False  # only where a count is cheap (reference data) and tells nothing hidden

    def ordering_of(self, request) -> str:
        name = request.query_params.get("ordering", next(iter(self.orderings)))
        if name not in self.orderings:
            choices = ", ".join(self.orderings)
            raise ValidationError({"ordering": [f"cannot order by {name!r}; choose {choices}"]})
        return name

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.ordering = self.ordering_of(request)
        keys = self.orderings[self.ordering]
        size = page_size_of(request, default=self.page_size)
        self.count = queryset.count() if self.with_count else None
        ordered = queryset.order_by(*keys)
        raw = request.query_params.get("cursor")
        if raw is not None:
            cursor = token_decode(self.purpose, raw)
            if not isinstance(cursor, dict) or cursor.get("o") != self.ordering:
                raise ValidationError(
                    {"cursor": ["this cursor belongs to another ordering: start again"]}
                )
            values = [_load(v) for v in cursor.get("v", [])]
            if len(values) != len(keys):
                raise ValidationError({"cursor": ["invalid cursor"]})
            ordered = ordered.filter(after(keys, values))
        rows = list(ordered[: size + 1])
        self.more = len(rows) > size
        rows = rows[:size]
        self.last = (
            [_dump(self._value(rows[-1], key.lstrip("-"))) for key in keys] if rows else None
        )
        self.size = size
        return rows

    @staticmethod
    def _value(row, name: str):
        for part in name.split("__"):
            row = getattr(row, part)
        return row

    def next_link(self) -> str | None:
        if not self.more:
            return None
        params = dict(self.request.query_params.items())
        params["cursor"] = token_encode(self.purpose, {"o": self.ordering, "v": self.last})
        return self.request.build_absolute_uri(f"{self.request.path}?{urlencode(params)}")

    def get_paginated_response(self, data):
        body = {"next": self.next_link(), "results": data}
        if self.with_count:
            body = {"count": self.count, **body}
        return Response(body)

    def get_paginated_response_schema(self, schema):
        properties = {
            "next": {"type": "string", "format": "uri", "nullable": True},
            "results": schema,
        }
        if self.with_count:
            properties = {"count": {"type": "integer"}, **properties}
        return {"type": "object", "required": list(properties), "properties": properties}

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "the cursor of the next link of the last page"},
            {"name": "page_size", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
            {"name": "ordering", "in": "query", "required": False,
             "schema": {"type": "string", "enum": list(self.orderings)}},
        ]  # fmt: skip


class DocumentPagination(KeysetPagination):
    orderings = {
        "-date": ("-date", "-id"),
        "date": ("date", "id"),
        "reference": ("reference",),
        "-reference": ("-reference",),
    }


class MeetingPagination(KeysetPagination):
    orderings = {
        "-starts_at": ("-starts_at", "-id"),
        "starts_at": ("starts_at", "id"),
        "updated_at": ("updated_at", "id"),
        "-updated_at": ("-updated_at", "-id"),
    }


class ProcedurePagination(KeysetPagination):
    orderings = {
        "reference": ("reference",),
        "-reference": ("-reference",),
        "updated_at": ("updated_at", "id"),
        "-updated_at": ("-updated_at", "-id"),
    }


class BodyPagination(KeysetPagination):
    orderings = {"name": ("name",)}
    with_count = True


class CodePagination(KeysetPagination):
    orderings = {"code": ("code",)}
    with_count = True
