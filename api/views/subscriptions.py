"""``/api/v1/subscriptions/``: a user's own subscriptions (list, follow, stop following)."""

from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from api.pagination import NameCursorPagination
from api.serializers.subscriptions import SubscriptionSerializer
from api.views.base import COMMON_PARAMETERS, MAX_QUERY_STRING
from documents.models import Subscription
from documents.services.subscriptions import subscription_cancel


class SubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's active subscriptions. Following something sends its meeting and comment
    reminders and puts its changes in the daily digest; DELETE stops following it."""

    serializer_class = SubscriptionSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = NameCursorPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            raise ValidationError({"query": [f"query string longer than {MAX_QUERY_STRING}"]})
        if unknown := sorted(set(request.query_params) - COMMON_PARAMETERS):
            known = ", ".join(sorted(COMMON_PARAMETERS))
            raise ValidationError(
                {name: [f"unknown parameter; known: {known}"] for name in unknown}
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Subscription.objects.none()
        return (
            Subscription.objects.filter(user=self.request.user, cancelled_at__isnull=True)
            .select_related("procedure", "body", "subject_code")
            .order_by("id")
        )

    def perform_destroy(self, instance: Subscription) -> None:
        subscription_cancel(subscription=instance)
