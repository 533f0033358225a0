"""What every read-only resource of the API shares: strict parameters, conditional GETs."""

import hashlib
import json

from django.utils.http import http_date, parse_http_date_safe
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from documents.selectors import last_seen_change

MAX_QUERY_STRING = 2000
COMMON_PARAMETERS = {"cursor", "page_size", "format", "ordering"}


def parameters_check(request, allowed: set[str]) -> None:
    """Strict input: an over-long query string or an unknown parameter is a 400 naming it."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        raise ValidationError({"query": [f"query string longer than {MAX_QUERY_STRING}"]})
    if unknown := sorted(set(request.query_params) - allowed):
        known = ", ".join(sorted(allowed))
        raise ValidationError({name: [f"unknown parameter; known: {known}"] for name in unknown})


def conditional_response(request, data, *, modified=None) -> Response:
    """``data`` with ``ETag`` (of exactly what this caller is shown) and ``Last-Modified``;
    a matching conditional GET answers 304."""
    body = json.dumps(data, sort_keys=True, default=str).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag}
    if modified is not None:
        headers["Last-Modified"] = http_date(modified.timestamp())
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        fresh = etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        fresh = since is not None and modified is not None and int(modified.timestamp()) <= since
    if fresh:
        return Response(status=304, headers=headers)
    return Response(data, headers=headers)


class RegisterViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only: the API never writes to the register. ``record`` names the change log's
    record kind of the resource (for ``Last-Modified``)."""

    record: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        parameters_check(request, COMMON_PARAMETERS | set(self._filter_names()))

    def _filter_names(self) -> list[str]:
        filterset = getattr(self, "filterset_class", None)
        return list(filterset.base_filters) if filterset else []

    def last_modified(self, instance):
        """When what this caller is shown of ``instance`` last changed (None: not said)."""
        if self.record is None:
            return None
        change = last_seen_change(self.request.user, record=self.record, record_id=instance.pk)
        return change.changed_at if change else None

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        return conditional_response(request, data, modified=self.last_modified(instance))
