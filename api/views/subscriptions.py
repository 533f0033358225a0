"""``/api/v1/subscriptions/``: a user's own subscriptions (list, follow, stop following)."""

from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from api.pagination import KeysetPagination
from api.serializers.subscriptions import SubscriptionSerializer
from api.views.base import COMMON_PARAMETERS, parameters_check
from documents.models import Subscription
from documents.services.subscriptions import subscription_cancel


class SubscriptionPagination(KeysetPagination):
    orderings = {"created_at": ("created_at", "key")}


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
    pagination_class = SubscriptionPagination
    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9_-]{1,24}"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        parameters_check(request, COMMON_PARAMETERS)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Subscription.objects.none()
        return Subscription.objects.filter(
            user=self.request.user, cancelled_at__isnull=True
        ).select_related("procedure", "body", "subject_code")

    def perform_destroy(self, instance: Subscription) -> None:
        subscription_cancel(subscription=instance)
