"""What every read-only resource of the API shares: strict parameters, conditional GETs."""

import hashlib
import json

from django.utils.http import http_date, parse_http_date_safe
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

MAX_QUERY_STRING = 2000
COMMON_PARAMETERS = {"cursor", "page_size", "format", "ordering"}


class RegisterViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only: the API never writes to the register."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            raise ValidationError({"query": [f"query string longer than {MAX_QUERY_STRING}"]})
        allowed = COMMON_PARAMETERS | set(self._filter_names())
        if unknown := sorted(set(request.query_params) - allowed):
            raise ValidationError(
                {
                    name: [f"unknown parameter; known: {', '.join(sorted(allowed))}"]
                    for name in unknown
                }
            )

    def _filter_names(self) -> list[str]:
        filterset = getattr(self, "filterset_class", None)
        return list(filterset.base_filters) if filterset else []

    def last_modified(self, instance):
        """When what this resource shows last changed (None: not said)."""
        return getattr(instance, "updated_at", None)

    def retrieve(self, request, *args, **kwargs):
        """A detail with ``ETag`` (of what this caller is shown) and ``Last-Modified``;
        a matching conditional GET answers 304."""
        instance = self.get_object()
        data = self.get_serializer(instance).data
        body = json.dumps(data, sort_keys=True, default=str).encode()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        modified = self.last_modified(instance)
        headers = {"ETag": etag}
        if modified is not None:
            headers["Last-Modified"] = http_date(modified.timestamp())
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            fresh = (
                etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
            )
        else:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            fresh = (
                since is not None and modified is not None and int(modified.timestamp()) <= since
            )
        if fresh:
            return Response(status=304, headers=headers)
        return Response(data, headers=headers)
