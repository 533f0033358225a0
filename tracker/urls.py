"""Top-level URLs: the admin (at ADMIN_URL), the REST API, health checks and liveness,
unsubscribe links."""

from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from tracker.livez import livez


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for load balancers and container health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", RedirectView.as_view(url=f"/{settings.ADMIN_URL}", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("", include("documents.urls")),  # reminders: unsubscribe/<token>/, healthz/jobs
]
