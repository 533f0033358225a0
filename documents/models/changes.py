"""The log of changes that mirrors replay (``/api/v1/changes/``) and digests read."""

from django.db import models
from django.utils import timezone


class RecordKind(models.TextChoices):
    DOCUMENT = "document"
    PROCEDURE = "procedure"
    MEETING = "meeting"
    BODY = "body"
    SUBJECT_CODE = "subject-code"
    DELEGATION = "delegation"


class ChangeKind(models.TextChoices):
    CREATED = "created"
    UPDATED = "updated"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"  # a release undone: LIMITE again
    CLASSIFIED = "classified"  # its classification set or lowered
    MOVED = "moved"  # a meeting's date or time
    CANCELLED = "cancelled"  # a meeting
    DELETED = "deleted"


class ChangeScope(models.TextChoices):
    """What a change touched, which decides who is told about it."""

    LISTING = "listing", "what everyone who sees the record sees"
    FULL = "full", "what only readers of the whole record see"
    LINK = "link", "a link to a document, shown according to that document's visibility"


class VisibilityState(models.Model):
    """The facts that decide who may see a record, as the change log keeps them.

    A change records the state of its record before and after (``was``/``now``) and, for a
    link, the state of the linked document before and after. The visibility rule
    (``documents.querysets.state_levels``) runs on this small table, never on the log itself.
    States are immutable and shared: one row per distinct combination.
    """

    # A record other than a document: public, whatever the rest says (which is then empty).
    record = models.BooleanField(default=False)
    series = models.CharField(max_length=8, blank=True)
    classification = models.PositiveSmallIntegerField(default=0)
    distribution = models.CharField(max_length=10, blank=True)
    released = models.BooleanField(default=False)
    # Ids of the delegations the document is distributed to explicitly: ",3,17," (sorted).
    distributed = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "record",
                    "series",
                    "classification",
                    "distribution",
                    "released",
                    "distributed",
                ],
                name="%(app_label)s_%(class)s_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(distributed="") | models.Q(distributed__regex=r"^,([0-9]+,)+$"),
                name="%(app_label)s_%(class)s_distributed_list",
            ),
            models.CheckConstraint(
                condition=models.Q(record=False)
                | models.Q(
                    series="", classification=0, distribution="", released=False, distributed=""
                ),
                name="%(app_label)s_%(class)s_record_has_no_facts",
            ),
            models.CheckConstraint(
                condition=models.Q(record=True) | ~models.Q(series=""),
                name="%(app_label)s_%(class)s_document_has_series",
            ),
        ]

    def __str__(self) -> str:
        if self.record:
            return "public record"
        released = " released" if self.released else ""
        return f"{self.series} {self.distribution}{released} level {self.classification}"


class Change(models.Model):
    """One change to one record, appended in the transaction that made it.

    ``position`` is handed out after commit by ``changes_sequence()``, in the order the rows
    became visible, never before: so a reader that has seen position N can never later find a
    row below N (a sequence or ``changed_at`` would let late commits slip behind it).
    ``record_id`` is a plain number, not a foreign key: the log outlives deleted records; it is
    never shown (``key`` is the record's public key: slug, meeting key, code).
    """

    record = models.CharField(max_length=20, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    scope = models.CharField(max_length=10, choices=ChangeScope.choices)
    # The fields (as the API names them) that changed, comma-separated; empty: not said.
    fields = models.CharField(max_length=300, blank=True)
    # Who could see the record before and after (None: it did not exist / no longer exists).
    # States are shared and never deleted while the log names them.
    was = models.ForeignKey(
        VisibilityState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    now = models.ForeignKey(
        VisibilityState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A link change: who could see the linked document before and after (None: no document).
    link_was = models.ForeignKey(
        VisibilityState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    link_now = models.ForeignKey(
        VisibilityState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The level of access to the linked document at which the link shows: 1 listed, 2 read.
    link_level = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(position__isnull=True),
                name="documents_change_pending_idx",
            ),
            models.Index(
                fields=["record", "record_id", "position"], name="documents_change_record_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ChangeKind.values),
                name="%(app_label)s_%(class)s_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(record__in=RecordKind.values, scope__in=ChangeScope.values),
                name="%(app_label)s_%(class)s_vocabularies",
            ),
            models.CheckConstraint(
                # A change happens to something: it existed before, after, or both.
                condition=models.Q(was__isnull=False) | models.Q(now__isnull=False),
                name="%(app_label)s_%(class)s_of_something",
            ),
            models.CheckConstraint(
                # A link change names the link's level and the linked document's states; any
                # other change names none of it.
                condition=(
                    # (A NULL level would make the IN test unknown, which a CHECK lets pass.)
                    models.Q(scope=ChangeScope.LINK, link_level__isnull=False)
                    & models.Q(link_level__in=[1, 2])
                    & (models.Q(link_was__isnull=False) | models.Q(link_now__isnull=False))
                )
                | models.Q(
                    ~models.Q(scope=ChangeScope.LINK),
                    link_level__isnull=True,
                    link_was__isnull=True,
                    link_now__isnull=True,
                ),
                name="%(app_label)s_%(class)s_link_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(key=""), name="%(app_label)s_%(class)s_key_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.record} {self.key} {self.kind}"
