"""The reminder rules: what is due at a moment, stored in the outbox before anything is sent.

``reminders_evaluate(now=...)`` is what beat's tick and ``manage.py send_reminders`` call. Each
reminder becomes a ``Notification`` keyed (rule, object, occurrence, recipient); the insert
skips keys already there (``ON CONFLICT DO NOTHING``), so evaluating the same moment twice, or
from two workers at once, stores nothing more. Days are Brussels calendar days: a "7 days
before" reminder of a meeting on 22 June goes out on 15 June, whatever the hour.

- meeting: before each meeting of a followed body, at each lead time (default 7 and 1 days);
  only the nearest lead time due is sent when several are (after an outage, one reminder, not
  a burst). Its occurrence carries the meeting's start, so a moved meeting is reminded anew.
- meeting-changed: a recipient last told (sent) a start that is no longer the meeting's start,
  or a meeting that is now cancelled, is told so; the key names the notification it corrects.
- comment-deadline: before a document's ``comments_due`` (default 3 and 1 days), to those who
  follow it (its procedures, bodies, subject codes, or a saved filter) and may read it in full.
- release-review: every ISO week, each supervisor (``documents.release_document``, not opted
  out) is told of the LIMITE documents of each adopted procedure not released or kept yet.
- digest: once a day, from ``REMINDERS_DIGEST_HOUR``, what changed since the last digest (at
  most a week back after an outage) on what each user follows; nothing when nothing changed.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from documents.models import (
    DEFAULT_LEAD_DAYS,
    Document,
    DocumentProcedure,
    Heartbeat,
    HeartbeatName,
    LeadTime,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationStatus,
    ReminderOptOut,
    ReminderRule,
    Subscription,
)
from documents.reminders.content import (
    ADOPTED_STAGES,
    RELEASE_PERMISSION,
    digest_items,
    documents_due_for_release_review,
)
from documents.reminders.follows import body_followers, followers_of_documents
from documents.services.outbox import heartbeat_record

DIGEST_CATCH_UP = datetime.timedelta(days=7)
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def lead_days(rule: str) -> tuple[int, ...]:
    """The lead times clerks set for ``rule``, or the defaults when they set none."""
    days = LeadTime.objects.filter(rule=rule).values_list("days", flat=True)
    return tuple(sorted(days)) or DEFAULT_LEAD_DAYS[rule]


def _nearest_due(days_left: int, leads: tuple[int, ...]) -> int | None:
    """The smallest lead time whose day has come (``days_left`` days before), if any."""
    return min((lead for lead in leads if days_left <= lead), default=None)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _meeting_reminders(now: datetime.datetime) -> list[Notification]:
    leads, today = lead_days(ReminderRule.MEETING), timezone.localdate(now)
    horizon = _midnight(today + datetime.timedelta(days=max(leads) + 1))
    meetings = list(
        Meeting.objects.filter(starts_at__gt=now, starts_at__lt=horizon).exclude(
            status=MeetingStatus.CANCELLED
        )
    )
    followers = body_followers({meeting.body_id for meeting in meetings})
    rows = []
    for meeting in meetings:
        days_left = (timezone.localdate(meeting.starts_at) - today).days
        lead = _nearest_due(days_left, leads)
        if lead is None:
            continue
        rows += [
            Notification(
                rule=ReminderRule.MEETING,
                object_id=meeting.pk,
                occurrence=f"{lead}d@{_utc(meeting.starts_at)}",
                recipient_id=follow.user_id,
                subscription=follow,
                event_at=meeting.starts_at,
                payload={"lead_days": lead},
            )
            for follow in followers.get(meeting.body_id, [])
        ]
    return rows


def _meeting_changes(now: datetime.datetime) -> list[Notification]:
    """Correct what recipients were last told of a meeting, when it moved or was cancelled."""
    told = Notification.objects.filter(
        rule__in=[ReminderRule.MEETING, ReminderRule.MEETING_CHANGED],
        status=NotificationStatus.SENT,
        event_at__gt=now - datetime.timedelta(days=1),
    ).order_by("sent_at", "pk")
    last: dict[tuple[int, int], Notification] = {}
    for notification in told.only("pk", "object_id", "recipient_id", "event_at", "payload"):
        last[(notification.object_id, notification.recipient_id)] = notification
    meetings = Meeting.objects.in_bulk({meeting_id for meeting_id, _user in last})
    follows = {
        (follow.body_id, follow.user_id): follow
        for body in body_followers({m.body_id for m in meetings.values()}).values()
        for follow in body
    }
    rows = []
    for (meeting_id, user_id), previous in last.items():
        meeting = meetings.get(meeting_id)
        follow = meeting and follows.get((meeting.body_id, user_id))
        if not follow or max(meeting.starts_at, previous.event_at) <= now:
            continue
        was_cancelled = previous.payload.get("change") == "cancelled"
        if meeting.status == MeetingStatus.CANCELLED:
            change = None if was_cancelled else "cancelled"
        elif was_cancelled:
            change = "reinstated"
        else:
            change = "moved" if meeting.starts_at != previous.event_at else None
        if change is None or (change != "cancelled" and meeting.starts_at <= now):
            continue
        rows.append(
            Notification(
                rule=ReminderRule.MEETING_CHANGED, object_id=meeting.pk,
                occurrence=f"after-{previous.pk}:{change}@{_utc(meeting.starts_at)}",
                recipient_id=user_id, subscription=follow, event_at=meeting.starts_at,
                payload={"change": change, "previous_starts_at": previous.event_at.isoformat()},
            )
        )  # fmt: skip
    return rows


def _comment_deadlines(now: datetime.datetime) -> list[Notification]:
    leads, today = lead_days(ReminderRule.COMMENT_DEADLINE), timezone.localdate(now)
    documents = Document.objects.filter(
        comments_due__gte=today, comments_due__lte=today + datetime.timedelta(days=max(leads))
    )
    due = {}
    for pk, comments_due in documents.values_list("pk", "comments_due"):
        lead = _nearest_due((comments_due - today).days, leads)
        if lead is not None:
            due[pk] = (lead, comments_due)
    followers = followers_of_documents(due)
    readers: dict[int, set[int]] = {}
    for user in get_user_model().objects.filter(
        pk__in={user_id for by_user in followers.values() for user_id in by_user}
    ):
        readable = Document.objects.readable_by(user).filter(pk__in=list(due))
        readers[user.pk] = set(readable.values_list("pk", flat=True))
    rows = []
    for document_id, by_user in followers.items():
        lead, comments_due = due[document_id]
        rows += [
            Notification(
                rule=ReminderRule.COMMENT_DEADLINE,
                object_id=document_id,
                occurrence=f"{lead}d@{comments_due.isoformat()}",
                recipient_id=user_id,
                subscription=follows[0],
                payload={"lead_days": lead, "comments_due": comments_due.isoformat()},
            )
            for user_id, follows in by_user.items()
            if document_id in readers.get(user_id, ())
        ]
    return rows


def release_supervisors():
    """Active users who may release LIMITE documents (superusers, who are system
    administrators, are not among them), less those who opted out of the review."""
    return (
        get_user_model()
        .objects.with_perm(RELEASE_PERMISSION, include_superusers=False, backend=_MODEL_BACKEND)
        .filter(is_active=True)
        .exclude(
            pk__in=ReminderOptOut.objects.filter(rule=ReminderRule.RELEASE_REVIEW).values("user")
        )
    )


def _release_reviews(now: datetime.datetime) -> list[Notification]:
    year, week, _day = timezone.localdate(now).isocalendar()
    due: dict[int, set[int]] = defaultdict(set)
    for procedure_id, document_id in DocumentProcedure.objects.filter(
        document__in=documents_due_for_release_review(), procedure__stage__in=ADOPTED_STAGES
    ).values_list("procedure_id", "document_id"):
        due[procedure_id].add(document_id)
    if not due:
        return []
    every = set().union(*due.values())
    rows = []
    for supervisor in release_supervisors():
        readable = Document.objects.readable_by(supervisor).filter(pk__in=every)
        readable = set(readable.values_list("pk", flat=True))
        rows += [
            Notification(
                rule=ReminderRule.RELEASE_REVIEW,
                object_id=procedure_id,
                occurrence=f"{year}-W{week:02d}",
                recipient_id=supervisor.pk,
            )
            for procedure_id, documents in sorted(due.items())
            if documents & readable
        ]
    return rows


def _digests(now: datetime.datetime) -> list[Notification]:
    local = timezone.localtime(now)
    if local.hour < settings.REMINDERS_DIGEST_HOUR:
        return []
    until = _midnight(local.date())
    done = Heartbeat.objects.filter(name=HeartbeatName.DIGEST).values_list("at", flat=True).first()
    if done == until:
        return []
    caught_up = done is not None and until - DIGEST_CATCH_UP <= done < until
    since = done if caught_up else until - datetime.timedelta(days=1)
    readers = (
        get_user_model()
        .objects.filter(is_active=True, pk__in=Subscription.objects.active().values("user"))
        .exclude(pk__in=ReminderOptOut.objects.filter(rule=ReminderRule.DIGEST).values("user"))
    )
    rows = [
        Notification(
            rule=ReminderRule.DIGEST,
            object_id=0,
            occurrence=local.date().isoformat(),
            recipient_id=user.pk,
            payload={"since": since.isoformat(), "until": until.isoformat()},
        )
        for user in readers.order_by("pk")
        if digest_items(user=user, since=since, until=until)
    ]
    heartbeat_record(name=HeartbeatName.DIGEST, at=until)
    return rows


@transaction.atomic
def reminders_evaluate(*, now: datetime.datetime) -> int:
    """Store every reminder due at ``now`` (aware) in the outbox; returns how many were new.

    A key already in the outbox is skipped by the database (``ON CONFLICT DO NOTHING`` on the
    unique key), so concurrent evaluations never store one twice; the look-up before the insert
    only counts what is new.
    """
    changes = _meeting_changes(now)
    told = {(row.object_id, row.recipient_id, row.event_at) for row in changes}
    rows = [*changes, *_meeting_reminders(now)]
    rows += [*_comment_deadlines(now), *_release_reviews(now), *_digests(now)]
    wall = timezone.now()
    for row in rows:
        row.next_attempt_at = wall
        if (
            row.rule == ReminderRule.MEETING
            and (row.object_id, row.recipient_id, row.event_at) in told
        ):
            # The notice of the move, sent now, says all the reminder would: one e-mail, not two.
            row.status, row.next_attempt_at = NotificationStatus.SKIPPED, None
            row.reason = "told by the notice of the change, sent at the same time"
    return _insert_new(rows)


def _insert_new(rows: list[Notification]) -> int:
    """Insert the rows whose key is not in the outbox yet; returns how many were new.

    The database skips a key inserted meanwhile by a concurrent evaluation (``ON CONFLICT DO
    NOTHING``): the count may then be one too many, the outbox never holds a key twice.
    """
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(
            rule__in={row.rule for row in rows},
            object_id__in={row.object_id for row in rows},
            occurrence__in={row.occurrence for row in rows},
        ).values_list("rule", "object_id", "occurrence", "recipient_id")
    )
    new = [
        row
        for row in rows
        if (row.rule, row.object_id, row.occurrence, row.recipient_id) not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
