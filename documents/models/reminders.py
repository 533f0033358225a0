"""Reminders: who follows what, how long before things they are reminded, the outbox of e-mails,
supervisors' decisions to keep a LIMITE document, and the heartbeats of the jobs."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class SubscriptionKind(models.TextChoices):
    PROCEDURE = "procedure", "Procedure"
    BODY = "body", "Body (working party)"
    SUBJECT_CODE = "subject-code", "Subject code"
    FILTER = "filter", "Saved document filter"


# The one target column each kind fills; the others stay empty.
SUBSCRIPTION_TARGETS = {
    SubscriptionKind.PROCEDURE: "procedure",
    SubscriptionKind.BODY: "body",
    SubscriptionKind.SUBJECT_CODE: "subject_code",
    SubscriptionKind.FILTER: "filter_query",
}
MAX_FILTER_LENGTH = 2000  # as the API's longest query string


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> "SubscriptionQuerySet":
        """Not cancelled, of an active user: what reminders are sent for."""
        return self.filter(cancelled_at__isnull=True, user__is_active=True)


def _target_is(kind: str) -> Q:
    """The row of ``kind`` fills its own target and none of the others."""
    filled = SUBSCRIPTION_TARGETS[kind]
    condition = Q(kind=kind)
    for other in SUBSCRIPTION_TARGETS.values():
        if other == "filter_query":
            condition &= ~Q(filter_query="") if filled == other else Q(filter_query="")
        else:
            condition &= Q(**{f"{other}__isnull": other != filled})
    return condition


def subscription_key() -> str:
    """An opaque key for a subscription's URL: a database id would count other users'."""
    return secrets.token_urlsafe(12)


class Subscription(models.Model):
    """A user follows a procedure, a body, a subject code or a saved API document filter.

    Cancelled, not deleted: ``cancelled_at`` stops every reminder (checked again when each
    e-mail is sent), and the outbox keeps saying why past e-mails went out.
    """

    # A user's follows are part of the account and go with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    key = models.CharField(max_length=24, unique=True, default=subscription_key, editable=False)
    kind = models.CharField(max_length=20, choices=SubscriptionKind.choices)
    # A deleted record leaves nothing to follow: its subscriptions go with it.
    procedure = models.ForeignKey(
        "documents.Procedure", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey(
        "documents.Body", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_code = models.ForeignKey(
        "documents.SubjectCode", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filter_query = models.CharField(
        max_length=MAX_FILTER_LENGTH,
        blank=True,
        help_text="a query string of /api/v1/documents/, e.g. series=WK&procedure=2022/0155(COD)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["user", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_target_is(SubscriptionKind.PROCEDURE)
                | _target_is(SubscriptionKind.BODY)
                | _target_is(SubscriptionKind.SUBJECT_CODE)
                | _target_is(SubscriptionKind.FILTER),
                name="%(app_label)s_%(class)s_one_target_of_its_kind",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=Q(cancelled_at__isnull=True, kind=kind),
                    name=f"%(app_label)s_%(class)s_follows_{target}_once",
                )
                for kind, target in SUBSCRIPTION_TARGETS.items()
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.target_label}"

    @property
    def target_label(self) -> str:
        """``procedure 2022/0155(COD)``, ``body LEWP (Police)``, ``subject code JAI``..."""
        if self.kind == SubscriptionKind.FILTER:
            return f"the documents filter {self.filter_query}"
        target = getattr(self, SUBSCRIPTION_TARGETS[self.kind])
        name = target.code if self.kind == SubscriptionKind.SUBJECT_CODE else str(target)
        return f"{SubscriptionKind(self.kind).label.split(' (')[0].lower()} {name}"


class ReminderRule(models.TextChoices):
    MEETING = "meeting", "Meeting reminder"
    MEETING_CHANGED = "meeting-changed", "Meeting moved or cancelled"
    COMMENT_DEADLINE = "comment-deadline", "Comment deadline"
    RELEASE_REVIEW = "release-review", "LIMITE release review"
    DIGEST = "digest", "Daily digest"


# Rules that remind a number of days ahead, and their days when clerks have set none.
LEAD_TIME_RULES = (ReminderRule.MEETING, ReminderRule.COMMENT_DEADLINE)
DEFAULT_LEAD_DAYS = {ReminderRule.MEETING: (7, 1), ReminderRule.COMMENT_DEADLINE: (3, 1)}
MAX_LEAD_DAYS = 90


class LeadTime(models.Model):
    """How many (Brussels calendar) days before a meeting or a comment deadline to remind."""

    rule = models.CharField(
        max_length=20, choices=[(rule.value, rule.label) for rule in LEAD_TIME_RULES]
    )
    days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LEAD_DAYS)],
        help_text="days before the meeting or the deadline (at least 1)",
    )

    class Meta:
        ordering = ["rule", "-days"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "days"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(rule__in=[rule.value for rule in LEAD_TIME_RULES]),
                name="%(app_label)s_%(class)s_rule_has_lead_times",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=MAX_LEAD_DAYS),
                name="%(app_label)s_%(class)s_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{ReminderRule(self.rule).label}: {self.days} day(s) before"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (a clerk may retry it)"
    SKIPPED = "skipped", "Skipped (see the reason)"


class Notification(models.Model):
    """One e-mail to one recipient, stored before anything is sent (the outbox).

    (rule, object, occurrence, recipient) is unique in the database: when beat fires twice or
    two workers evaluate the same moment, the second insert does nothing. ``object_id`` is the
    meeting, document or procedure the e-mail is about (0 for a digest); ``occurrence`` tells
    which reminder of it (``7d@2022-06-22T08:00:00Z``, ``2024-W05``, ``2024-01-10``...).
    What the e-mail says is rendered when it is sent, for its recipient, through the visibility
    rule.
    """

    rule = models.CharField(max_length=20, choices=ReminderRule.choices)
    object_id = models.BigIntegerField()
    occurrence = models.CharField(max_length=100)
    # The outbox is the recipient's: it goes with the account.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What it was created for (informative: every send checks the follows again). The outbox
    # keeps its record if the subscription row is ever deleted.
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_at = models.DateTimeField(
        null=True, blank=True, help_text="the meeting's start the e-mail is about"
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text="why it was skipped")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_id", "occurrence", "recipient"],
                name="%(app_label)s_%(class)s_once",
            ),
            models.CheckConstraint(
                condition=Q(rule__in=ReminderRule.values, status__in=NotificationStatus.values),
                name="%(app_label)s_%(class)s_vocabularies",
            ),
            models.CheckConstraint(
                condition=Q(object_id__gte=0) & ~Q(occurrence=""),
                name="%(app_label)s_%(class)s_key_complete",
            ),
            models.CheckConstraint(
                condition=Q(status=NotificationStatus.SENT, sent_at__isnull=False)
                | (~Q(status=NotificationStatus.SENT) & Q(sent_at__isnull=True)),
                name="%(app_label)s_%(class)s_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=NotificationStatus.PENDING) | Q(next_attempt_at__isnull=False),
                name="%(app_label)s_%(class)s_pending_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(status=NotificationStatus.SKIPPED) | ~Q(reason=""),
                name="%(app_label)s_%(class)s_skipped_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=NotificationStatus.PENDING),
                name="documents_notification_due_idx",
            ),
            models.Index(fields=["rule", "object_id"], name="documents_notification_obj_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.object_id} {self.occurrence} to {self.recipient_id}"


class ReleaseReview(models.Model):
    """A supervisor keeps a LIMITE document unreleased after its act was adopted, and says why:
    the weekly release review stops naming it."""

    # A decision on record keeps its document and its author.
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="release_reviews"
    )
    reason = models.TextField(help_text="why the document stays LIMITE (e.g. the exception)")
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kept_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-kept_at"]
        constraints = [
            models.UniqueConstraint(fields=["document"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(reason__regex=r"\S"),
                name="%(app_label)s_%(class)s_reason_given",
            ),
        ]

    def __str__(self) -> str:
        return f"document {self.document_id} kept LIMITE"


class ReminderOptOut(models.Model):
    """A user who asked for no more e-mails of a rule that follows no subscription: the digest,
    or a supervisor's release review."""

    # An opt-out is part of the account and goes with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    rule = models.CharField(max_length=20, choices=ReminderRule.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "rule"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(rule__in=[ReminderRule.DIGEST, ReminderRule.RELEASE_REVIEW]),
                name="%(app_label)s_%(class)s_rule_without_subscription",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} wants no {self.rule}"


class HeartbeatName(models.TextChoices):
    BEAT = "beat", "Beat sent a tick"
    WORKER = "worker", "A worker finished a job"
    DIGEST = "digest", "Digests made up to"


class Heartbeat(models.Model):
    """When each job last showed it was alive (one row per name, overwritten)."""

    name = models.CharField(max_length=10, choices=HeartbeatName.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(name__in=HeartbeatName.values),
                name="%(app_label)s_%(class)s_name_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
