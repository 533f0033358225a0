"""Cursor pagination: stable under concurrent writes, strict about its parameters."""

from base64 import b64decode
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


def is_whole_number(text: str) -> bool:
    """ASCII digits only: ``"²".isdigit()`` is true, and ``int("²")`` fails."""
    return text.isascii() and text.isdecimal() and len(text) <= 18


class RegisterCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    ordering = "-id"
    invalid_cursor_message = "invalid cursor: use the next or previous link of a page"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not is_whole_number(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({"page_size": [f"a whole number from 1 to {self.max_page_size}"]})
        return int(raw)

    def decode_cursor(self, request):
        """DRF answers a bad cursor with 404, or takes garbage for the first page: both are
        bad input here (400)."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(b64decode(encoded.encode("ascii"), validate=True).decode())
        except (ValueError, UnicodeError) as error:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from error
        if not tokens or set(tokens) - {"o", "r", "p"}:
            raise ValidationError({"cursor": [self.invalid_cursor_message]})
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from error

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, DataError) as error:  # a bad position
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from error


class DocumentCursorPagination(RegisterCursorPagination):
    ordering = "-date_key"  # newest first; unique (see api.views.documents.documents_for)


class MeetingCursorPagination(RegisterCursorPagination):
    ordering = ("-starts_at", "-id")


class NameCursorPagination(RegisterCursorPagination):
    ordering = ("id",)
