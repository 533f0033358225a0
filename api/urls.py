"""The REST API: /api/v1/ resources, the OpenAPI schema and its offline documentation."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from api import views

app_name = "api"

router = DefaultRouter()
router.register("documents", views.DocumentViewSet, basename="document")
router.register("procedures", views.ProcedureViewSet, basename="procedure")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("bodies", views.BodyViewSet, basename="body")
router.register("subject-codes", views.SubjectCodeViewSet, basename="subjectcode")
router.register("delegations", views.DelegationViewSet, basename="delegation")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")


@extend_schema(exclude=True)
class UnknownEndpoint(APIView):
    """Unknown API paths answer JSON, like every other API error."""

    def get(self, request, *args, **kwargs):
        raise NotFound(f"no such endpoint: {request.path}")


urlpatterns = [
    re_path(
        r"^v1/documents/(?P<slug>[^/\x00-\x1f]+)/files/(?P<language>[a-z]{2})/$",
        views.DocumentFileView.as_view(),
        name="document-file",
    ),
    path("v1/changes/", views.ChangesView.as_view(), name="changes"),
    path("v1/dumps/", views.DumpIndexView.as_view(), name="dumps"),
    re_path(r"^v1/dumps/(?P<file>[^/\x00-\x1f]+)$", views.DumpFileView.as_view(), name="dump-file"),
    path("v1/calendar/", views.CalendarLinkView.as_view(), name="calendar"),
    path("v1/calendar/<str:key>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", UnknownEndpoint.as_view()),
]
