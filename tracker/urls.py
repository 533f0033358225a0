"""Top-level URLs: the admin (at ADMIN_URL), the REST API, health checks, unsubscribe links."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tracker.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(url=f"/{settings.ADMIN_URL}", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("documents.urls")),  # reminders: unsubscribe/<token>/, healthz/jobs
]
