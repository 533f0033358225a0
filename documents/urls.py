"""Pages of the reminders outside the admin and the API (included at the site's root)."""

from django.urls import path

from documents.views.health import jobs_health
from documents.views.unsubscribe import UnsubscribeView

app_name = "reminders"

urlpatterns = [
    path("unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="unsubscribe"),
    path("healthz/jobs", jobs_health, name="jobs-health"),
]
