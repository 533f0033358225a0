"""Are the reminder jobs alive? What operators see at /healthz/jobs and in the outbox admin."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from documents.models import Heartbeat, HeartbeatName, Notification, NotificationStatus


@dataclass(frozen=True)
class JobsStatus:
    now: datetime.datetime
    tick_seconds: int
    beat_ticked_at: datetime.datetime | None
    worker_finished_at: datetime.datetime | None
    pending: int
    failed: int
    sent_today: int

    def _stale(self, moment: datetime.datetime | None) -> bool:
        """Nothing for two ticks: beat sends one per interval, and a worker runs each."""
        limit = datetime.timedelta(seconds=2 * self.tick_seconds)
        return moment is None or self.now - moment > limit

    @property
    def beat_stale(self) -> bool:
        return self._stale(self.beat_ticked_at)

    @property
    def worker_stale(self) -> bool:
        return self._stale(self.worker_finished_at)

    @property
    def healthy(self) -> bool:
        return not self.beat_stale and not self.worker_stale

    def as_dict(self) -> dict:
        def when(moment):
            if moment is None:
                return None
            return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")

        return {
            "healthy": self.healthy,
            "beat": {"last_tick": when(self.beat_ticked_at), "stale": self.beat_stale},
            "worker": {
                "last_job_finished": when(self.worker_finished_at), "stale": self.worker_stale,
            },
            "notifications": {
                "pending": self.pending, "failed": self.failed, "sent_today": self.sent_today,
            },
            "tick_seconds": self.tick_seconds,
        }  # fmt: skip


def jobs_status(*, now: datetime.datetime | None = None) -> JobsStatus:
    """When beat last ticked, when a worker last finished a job, and the outbox's counts."""
    now = now or timezone.now()
    beats = dict(Heartbeat.objects.values_list("name", "at"))
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = Notification.objects.aggregate(
        pending=Count("pk", filter=Q(status=NotificationStatus.PENDING)),
        failed=Count("pk", filter=Q(status=NotificationStatus.FAILED)),
        sent_today=Count("pk", filter=Q(status=NotificationStatus.SENT, sent_at__gte=midnight)),
    )
    return JobsStatus(
        now=now,
        tick_seconds=settings.REMINDERS_TICK_SECONDS,
        beat_ticked_at=beats.get(HeartbeatName.BEAT),
        worker_finished_at=beats.get(HeartbeatName.WORKER),
        **counts,
    )
