"""The log of changes that mirrors replay (``/api/v1/changes/``)."""

from django.db import models


class ChangeKind(models.TextChoices):
    CREATED = "created"
    UPDATED = "updated"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"  # a release undone: LIMITE again
    DELETED = "deleted"


class Change(models.Model):
    """One change to one document, appended in the transaction that made it.

    ``position`` is handed out after commit by ``changes_sequence()``, in the order the rows
    became visible, never before: so a reader that has seen position N can never later find a
    row below N (a sequence or ``updated_at`` would let late commits slip behind it).
    ``document_id`` is a plain number, not a foreign key: the log outlives deleted documents.
    """

    document_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    # What decided who could see the document just after this change, under the names the
    # visibility rule reads (documents.querysets.visibility_rules): a reader is told that a
    # document went away only if they could see it at some change before.
    series = models.CharField(max_length=8)
    classification = models.PositiveSmallIntegerField()
    distribution = models.CharField(max_length=10)
    released_at = models.DateTimeField(null=True, blank=True)
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(position__isnull=True),
                name="documents_change_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ChangeKind.values),
                name="%(app_label)s_%(class)s_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: document {self.document_id} {self.kind}"
