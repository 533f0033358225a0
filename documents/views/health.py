"""``/healthz/jobs``: is beat ticking, are workers working, what is in the outbox.

For registry staff who may see the outbox (signed in), or for a monitoring system that sends
``Authorization: Bearer <JOBS_HEALTH_TOKEN>``. 200 when healthy; 503 when beat has not ticked,
or no worker has finished a job, for two tick intervals.
"""

import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from documents.reminders.health import jobs_status


def _allowed(request: HttpRequest) -> bool:
    token = settings.JOBS_HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    user = request.user
    return user.is_authenticated and user.is_staff and user.has_perm("documents.view_notification")


@never_cache
@require_GET
def jobs_health(request: HttpRequest) -> JsonResponse:
    if not _allowed(request):
        return JsonResponse(
            {"status": 403, "message": "registry staff, or the monitoring token, only"}, status=403
        )
    status = jobs_status()
    return JsonResponse(status.as_dict(), status=200 if status.healthy else 503)
