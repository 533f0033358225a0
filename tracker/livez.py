"""Liveness: the process answers, and nothing else is asked of it (``/livez``).

No database, no session, no template: the cheapest round trip through the server and its
middleware, which is what ``make bench`` adds to each SQL floor. ``/healthz`` is the check
that also reaches the database.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def livez(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
