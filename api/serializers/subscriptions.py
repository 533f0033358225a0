"""A user's subscriptions: what they follow, for reminders and the daily digest."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from documents.models import Subscription, SubscriptionKind
from documents.services.subscriptions import subscription_create


class SubscriptionSerializer(serializers.ModelSerializer):
    """Give exactly one of ``procedure`` (any spelling of its reference), ``body`` (its slug),
    ``subject_code`` or ``filter`` (a query string of ``/api/v1/documents/``)."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:subscription-detail", lookup_field="key"
    )
    procedure = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=40,
        source="procedure.reference",
        help_text="2022/0155(COD)",
    )
    body = serializers.CharField(
        required=False, allow_null=True, max_length=80, source="body.slug", help_text="lewp-police"
    )
    subject_code = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=30,
        source="subject_code.code",
        help_text="JAI",
    )
    filter = serializers.CharField(
        required=False, max_length=2000, source="filter_query", allow_blank=True, allow_null=True,
        help_text="series=WK&procedure=2022/0155(COD)",
    )  # fmt: skip
    follows = serializers.CharField(source="target_label", read_only=True)

    class Meta:
        model = Subscription
        fields = (
            "url", "key", "kind", "procedure", "body", "subject_code", "filter", "follows",
            "created_at",
        )  # fmt: skip
        read_only_fields = ("key", "kind", "created_at")

    def to_representation(self, subscription: Subscription) -> dict:
        data = super().to_representation(subscription)
        for name in ("procedure", "body", "subject_code"):
            if data.get(name) is None:
                data[name] = None
        if subscription.kind != SubscriptionKind.FILTER:
            data["filter"] = None
        return data

    def create(self, validated_data) -> Subscription:
        try:
            return subscription_create(
                user=self.context["request"].user,
                procedure=validated_data.get("procedure", {}).get("reference"),
                body=validated_data.get("body", {}).get("slug"),
                subject_code=validated_data.get("subject_code", {}).get("code"),
                filter_query=validated_data.get("filter_query") or None,
            )
        except DjangoValidationError as error:
            names = {"target": "non_field_errors"}
            problems = error.message_dict.items()
            raise serializers.ValidationError(
                {names.get(field, field): messages for field, messages in problems}
            ) from error
