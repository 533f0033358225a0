"""What each notification tells its recipient, decided when it is sent. Reads only.

Every document an e-mail names (reference or subject) comes from
``Document.objects.readable_by(recipient)``: a recipient who may only list a document, or not
see it at all, never finds it in an e-mail. Everything is checked again at send time: the
recipient still follows what the e-mail is about, the meeting has not moved since, the deadline
is still the same. When not, ``notice_for`` returns the reason the e-mail is skipped.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    ChangeKind,
    Distribution,
    Document,
    DocumentProcedure,
    Meeting,
    MeetingStatus,
    Notification,
    Procedure,
    ProcedureStage,
    ReminderOptOut,
    ReminderRule,
    Subscription,
    SubscriptionKind,
)
from documents.reminders.follows import subscriptions_following
from documents.selectors import DocumentChanges, document_changes_seen_by

RELEASE_PERMISSION = "documents.release_document"
# A procedure in one of these stages has its act adopted (Annex II, Art. 11(6)).
ADOPTED_STAGES = (ProcedureStage.ADOPTED, ProcedureStage.PUBLISHED)
# What an e-mail names of a document: read in one query with only these columns.
_NAMED = ("id", "reference", "slug", "subject", "series", "number", "year", "suffix", "date")


@dataclass(frozen=True)
class Notice:
    """An e-mail to render: its subject, template, context and why the recipient gets it."""

    subject: str
    template: str  # "reminders/email/meeting" -> .txt and .html
    context: dict
    why: list[str]
    # What the one-click unsubscribe stops: these subscriptions, or else this rule (an opt-out).
    subscriptions: list[int] = field(default_factory=list)


def documents_due_for_release_review():
    """LIMITE documents not released, of a procedure whose act is adopted, that a release
    would make public (the rule says which: never a WK or classified one), and that no
    supervisor has kept LIMITE with a reason."""
    return (
        Document.objects.public_if_released()
        .filter(
            distribution=Distribution.LIMITE,
            released_at__isnull=True,
            release_reviews__isnull=True,
            procedures__stage__in=ADOPTED_STAGES,
        )
        .distinct()
    )


def opted_out(user: AbstractBaseUser, rule: str) -> bool:
    return ReminderOptOut.objects.filter(user=user, rule=rule).exists()


def _days_left(day: datetime.date, now: datetime.datetime) -> int:
    return (day - timezone.localdate(now)).days


def _labels(subscriptions: list[Subscription]) -> list[str]:
    return sorted({f"you follow {s.target_label}" for s in subscriptions})


# --- Meetings ---------------------------------------------------------------------------------


def _meeting(notification: Notification, now: datetime.datetime) -> Notice | str:
    meeting = Meeting.objects.select_related("body").filter(pk=notification.object_id).first()
    if meeting is None:
        return "the meeting was deleted"
    recipient = notification.recipient
    follows = list(
        Subscription.objects.active().filter(
            user=recipient, kind=SubscriptionKind.BODY, body=meeting.body
        )
    )
    if not follows:
        return f"the recipient no longer follows {meeting.body}"
    change = notification.payload.get("change", "")
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if change == "cancelled":
        if not cancelled:
            return "the meeting is no longer cancelled"
    elif cancelled:
        return "the meeting was cancelled since"
    elif meeting.starts_at != notification.event_at:
        return "the meeting was moved since"
    elif meeting.starts_at <= now:
        return "the meeting has started"
    starts = timezone.localtime(meeting.starts_at)
    days = _days_left(starts.date(), now)
    when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
    date = f"{starts:%A} {starts.day} {starts:%B %Y}"
    subject = {
        "": f"{meeting.body}: meeting on {date} ({when})",
        "moved": f"{meeting.body}: meeting moved to {date}",
        "reinstated": f"{meeting.body}: meeting on {date} takes place after all",
        "cancelled": f"{meeting.body}: meeting of {date} cancelled",
    }[change]
    previous = notification.payload.get("previous_starts_at")
    readable = Document.objects.readable_by(recipient).only(*_NAMED).order_by("reference")
    agenda = (
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("order")
        .prefetch_related("procedures", Prefetch("documents", queryset=readable))
    )
    return Notice(
        subject=subject,
        template="reminders/email/meeting",
        context={
            "meeting": meeting,
            "starts": starts,
            "when": when,
            "change": change,
            "previous": timezone.localtime(datetime.datetime.fromisoformat(previous))
            if previous
            else None,
            "agenda": list(agenda),
        },
        why=_labels(follows),
        subscriptions=[s.pk for s in follows],
    )


# --- Comment deadlines ------------------------------------------------------------------------


def _comment_deadline(notification: Notification, now: datetime.datetime) -> Notice | str:
    recipient = notification.recipient
    document = Document.objects.readable_by(recipient).filter(pk=notification.object_id).first()
    if document is None:
        return "the recipient may not read the document (or it was deleted)"
    due = notification.payload.get("comments_due")
    if document.comments_due is None or document.comments_due.isoformat() != due:
        return "the deadline for comments changed since"
    days = _days_left(document.comments_due, now)
    if days < 0:
        return "the deadline for comments has passed"
    follows = subscriptions_following(user=recipient, document_ids=[document.pk])
    if document.pk not in follows:
        return "the recipient no longer follows the document"
    when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
    procedures = Procedure.objects.filter(documents=document).order_by("reference")
    return Notice(
        subject=f"Comments on {document.cover_reference} due "
        f"{document.comments_due.day} {document.comments_due:%B %Y} ({when})",
        template="reminders/email/comment_deadline",
        context={"document": document, "when": when, "procedures": list(procedures)},
        why=_labels(follows[document.pk]),
        subscriptions=[s.pk for s in follows[document.pk]],
    )


# --- LIMITE release review --------------------------------------------------------------------


def _release_review(notification: Notification, now: datetime.datetime) -> Notice | str:
    recipient = notification.recipient
    if not recipient.has_perm(RELEASE_PERMISSION):
        return "the recipient may no longer release LIMITE documents"
    if opted_out(recipient, ReminderRule.RELEASE_REVIEW):
        return "the recipient unsubscribed from release reviews"
    procedure = Procedure.objects.filter(pk=notification.object_id).first()
    if procedure is None or procedure.stage not in ADOPTED_STAGES:
        return "the procedure's act is no longer adopted"
    due = documents_due_for_release_review().filter(procedures=procedure)
    documents = list(
        Document.objects.readable_by(recipient)
        .filter(pk__in=due.values("pk"))
        .only(*_NAMED)
        .order_by("date", "reference")
    )
    if not documents:
        return "no document of the procedure is due for release review any more"
    return Notice(
        subject=f"{len(documents)} LIMITE document(s) of {procedure} due for release review",
        template="reminders/email/release_review",
        context={"procedure": procedure, "documents": documents},
        why=["you may release LIMITE documents (registry supervisor)"],
    )


# --- Daily digest -----------------------------------------------------------------------------


# How a digest says which field changed.
FIELD_LABELS = {
    "document_type": "type", "original_language": "original language",
    "released_at": "released", "release_reason": "release reason",
    "comments_due": "deadline for comments", "subject_codes": "subject codes",
    "cites": "citations", "meetings": "meetings (agendas)",
}  # fmt: skip


@dataclass(frozen=True)
class DigestItem:
    change: DocumentChanges
    via: list[str]
    procedures: list[Procedure]
    meetings: list[Meeting]

    @property
    def what_changed(self) -> str:
        """``New document``, or e.g. ``Changed: deadline for comments, subject``."""
        if ChangeKind.CREATED in self.change.kinds:
            return "New document"
        labels = sorted({FIELD_LABELS.get(name, name) for name in self.change.fields})
        released = " (released: now public)" if ChangeKind.RELEASED in self.change.kinds else ""
        return f"Changed: {', '.join(labels)}{released}"


def digest_items(*, user, since: datetime.datetime, until: datetime.datetime) -> list[DigestItem]:
    """What changed in ``[since, until)`` on what ``user`` follows, among the documents they may
    read in full, each with its procedures and meetings."""
    changes = [
        change
        for change in document_changes_seen_by(user, since=since, until=until)
        if change.document.full_access
    ]
    follows = subscriptions_following(user=user, document_ids=[c.document.pk for c in changes])
    changes = [change for change in changes if change.document.pk in follows]
    if not changes:
        return []
    ids = [change.document.pk for change in changes]
    procedures: dict[int, list[Procedure]] = {pk: [] for pk in ids}
    links = DocumentProcedure.objects.filter(document_id__in=ids).select_related("procedure")
    for link in links.order_by("procedure__reference"):
        procedures[link.document_id].append(link.procedure)
    meetings: dict[int, dict[int, Meeting]] = {pk: {} for pk in ids}
    listed = AgendaItemDocument.objects.filter(document_id__in=ids).select_related(
        "agenda_item__meeting__body"
    )
    for link in listed.order_by("agenda_item__meeting__starts_at"):
        meeting = link.agenda_item.meeting
        meetings[link.document_id][meeting.pk] = meeting
    return [
        DigestItem(
            change=change,
            via=sorted({s.target_label for s in follows[change.document.pk]}),
            procedures=procedures[change.document.pk],
            meetings=list(meetings[change.document.pk].values()),
        )
        for change in changes
    ]


def _digest(notification: Notification, now: datetime.datetime) -> Notice | str:
    recipient = notification.recipient
    if opted_out(recipient, ReminderRule.DIGEST):
        return "the recipient unsubscribed from the digest"
    since = datetime.datetime.fromisoformat(notification.payload["since"])
    until = datetime.datetime.fromisoformat(notification.payload["until"])
    items = digest_items(user=recipient, since=since, until=until)
    if not items:
        return "nothing new to report"
    first, last = timezone.localdate(since), timezone.localdate(until - datetime.timedelta(1))
    period = f"{last.day} {last:%B %Y}"
    if first != last:
        period = f"{first.day} {first:%B %Y} to {period}"
    follows = Subscription.objects.active().filter(user=recipient)
    return Notice(
        subject=f"What changed on what you follow: {period}",
        template="reminders/email/digest",
        context={"items": items, "period": period},
        why=_labels(list(follows.select_related("procedure", "body", "subject_code"))),
    )


_RULES = {
    ReminderRule.MEETING: _meeting,
    ReminderRule.MEETING_CHANGED: _meeting,
    ReminderRule.COMMENT_DEADLINE: _comment_deadline,
    ReminderRule.RELEASE_REVIEW: _release_review,
    ReminderRule.DIGEST: _digest,
}


def notice_for(notification: Notification, *, now: datetime.datetime) -> Notice | str:
    """The e-mail ``notification`` is now, for its recipient; or why it is not sent."""
    return _RULES[notification.rule](notification, now)
