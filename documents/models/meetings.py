"""Meetings of Council bodies and their agendas."""

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from documents.models.choices import MeetingStatus
from documents.models.keys import SLUG_PATTERN, unique_slug


class Meeting(models.Model):
    """A meeting of one body: a date and time (stored in UTC, shown in Brussels time)."""

    # A body with meetings on record is not deleted.
    body = models.ForeignKey("documents.Body", on_delete=models.PROTECT, related_name="meetings")
    # The stable key mirrors and URLs use (``lewp-police-2022-06-22``): the body and the date
    # first planned, set once; a meeting that moves keeps it.
    key = models.SlugField(max_length=100, unique=True, editable=False)
    title = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    videoconference = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The notice (a CM document) and the outcome document stay registered while cited here.
    notice = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notice_of_meetings",
    )
    outcome = models.TextField(blank=True)
    outcome_document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcome_of_meetings",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(key__regex=SLUG_PATTERN), name="%(app_label)s_%(class)s_key_form"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at", "id"], name="documents_meeting_starts_idx"),
            models.Index(fields=["body", "starts_at", "id"], name="documents_meeting_body_idx"),
            models.Index(fields=["updated_at", "id"], name="documents_meeting_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.body} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    def save(self, *args, **kwargs) -> None:
        self.key_assign()
        super().save(*args, **kwargs)

    def key_assign(self) -> None:
        """Give a new meeting its key: its body and the day it is first planned for."""
        if not self.key and self.body_id and self.starts_at:
            day = timezone.localtime(self.starts_at).date()
            self.key = unique_slug(Meeting, f"{self.body.slug} {day.isoformat()}", field="key")


class AgendaItem(models.Model):
    """An item of a meeting's agenda, in order, pointing at procedures and documents."""

    # An agenda is part of the meeting's record: the meeting is not deleted while it has one.
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500)
    procedures = models.ManyToManyField(
        "documents.Procedure",
        through="AgendaItemProcedure",
        related_name="agenda_items",
        blank=True,
    )
    documents = models.ManyToManyField(
        "documents.Document", through="AgendaItemDocument", related_name="agenda_items", blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"], name="%(app_label)s_%(class)s_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class AgendaItemProcedure(models.Model):
    # Agenda links are a record: neither side is deleted while one exists.
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT)
    procedure = models.ForeignKey("documents.Procedure", on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "procedure"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item_id}: {self.procedure_id}"


class AgendaItemDocument(models.Model):
    # Agenda links are a record: neither side is deleted while one exists.
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "document"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item_id}: {self.document_id}"
