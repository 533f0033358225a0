"""The API speaks UTC: every timestamp it shows ends in ``Z`` (the admin keeps Brussels time)."""

import datetime

from django.utils import timezone


def api_in_utc(get_response):
    def middleware(request):
        if request.path.startswith("/api/"):
            with timezone.override(datetime.UTC):
                return get_response(request)
        return get_response(request)

    return middleware
