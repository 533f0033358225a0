"""Top-level URLs: the admin (at ADMIN_URL), the REST API, health checks and liveness,
unsubscribe links."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tracker.health import healthz
from tracker.livez import livez

urlpatterns = [
    path("", RedirectView.as_view(url=f"/{settings.ADMIN_URL}", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("", include("documents.urls")),  # reminders: unsubscribe/<token>/, healthz/jobs
]
