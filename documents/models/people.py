"""What the register knows about a user: their delegation and security clearance."""

from django.conf import settings
from django.db import models

from documents.models.choices import Classification


class UserProfile(models.Model):
    # The profile is part of the user account and goes with it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # A delegation with members is not deleted.
    delegation = models.ForeignKey(
        "documents.Delegation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    clearance = models.PositiveSmallIntegerField(
        choices=Classification.choices,
        default=Classification.UNCLASSIFIED,
        help_text="highest EU classification level the user is cleared for",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(clearance__gte=0, clearance__lte=4),
                name="%(app_label)s_%(class)s_clearance_level",
            ),
        ]

    def __str__(self) -> str:
        return f"profile of {self.user}"
