"""Who read what: delegations' reads of LIMITE documents and every file download."""

from django.conf import settings
from django.db import models


class ReadKind(models.TextChoices):
    READ = "read", "LIMITE document read"
    DOWNLOAD = "download", "file downloaded"


class DocumentRead(models.Model):
    """One read, as the register answered it: who, for which delegation, what, when, from where."""

    # An audit trail outlives nothing it names: users, delegations and documents stay.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delegation = models.ForeignKey(
        "documents.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ReadKind.choices)
    language = models.CharField(max_length=2, blank=True)
    via = models.CharField(max_length=20, help_text="the door: api-detail, api-list, feed, ...")
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReadKind.values),
                name="%(app_label)s_%(class)s_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.kind} {self.document_id}"
