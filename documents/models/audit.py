"""Who read what: delegations' reads of LIMITE documents and every file download.

Reads are counted, not logged one by one: one row per (user, document, Brussels day, door)
whose ``count`` is the number of answers that showed the document in full that day through
that door (a list page counts once per document on it). Downloads stay one row each.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReadKind(models.TextChoices):
    READ = "read", "LIMITE document read"
    DOWNLOAD = "download", "file downloaded"


class DocumentRead(models.Model):
    """Reads of one document by one user on one day through one door, or one download."""

    # An audit trail outlives nothing it names: users, delegations and documents stay.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The reader's delegation at their first read of the day.
    delegation = models.ForeignKey(
        "documents.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ReadKind.choices)
    language = models.CharField(max_length=2, blank=True)
    via = models.CharField(max_length=20, help_text="the door: api-detail, api-list, feed, ...")
    address = models.GenericIPAddressField(
        null=True, blank=True, help_text="client address (of the latest read of the day)"
    )
    day = models.DateField(help_text="calendar day in Brussels")
    count = models.PositiveIntegerField(default=1, help_text="reads that day (downloads: 1)")
    at = models.DateTimeField(default=timezone.now, db_index=True, help_text="first read")
    last_at = models.DateTimeField(default=timezone.now, help_text="latest read")

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReadKind.values),
                name="%(app_label)s_%(class)s_kind_known",
            ),
            # The row reads_record() counts into (INSERT ... ON CONFLICT on this index).
            models.UniqueConstraint(
                fields=["user", "document", "day", "via"],
                condition=models.Q(kind="read"),
                name="%(app_label)s_%(class)s_one_row_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="download") | models.Q(user__isnull=False),
                name="%(app_label)s_%(class)s_read_has_reader",
            ),
            models.CheckConstraint(
                condition=models.Q(count__gte=1), name="%(app_label)s_%(class)s_count_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="read") | models.Q(count=1),
                name="%(app_label)s_%(class)s_download_counted_once",
            ),
            models.CheckConstraint(
                condition=models.Q(last_at__gte=models.F("at")),
                name="%(app_label)s_%(class)s_last_after_first",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="documents_documentread_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id} {self.kind} {self.document_id} x{self.count}"
