"""The reminders for real: Celery worker (and beat) subprocesses on the test database and the
real Redis, sending to a real SMTP server on loopback.

Each test commits its data (``transaction=True``) so that the workers, on their own
connections, see it. Nothing here waits for time to pass: every wait polls for a subprocess's
result, with a deadline.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from documents.models import (
    Distribution,
    Heartbeat,
    HeartbeatName,
    Notification,
    NotificationStatus,
    UserProfile,
)
from documents.reminders.health import jobs_status
from documents.services import agenda_item_add, meeting_create
from documents.services.reminders import reminders_evaluate
from documents.tasks import send_notification, tick_reminders
from tests.documents.reminders.conftest import names_of
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    DocumentFactory,
    UserFactory,
)
from tests.smtp import Inbox

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 60  # seconds any one wait may take on a loaded machine


def until(condition, what: str, deadline: float = DEADLINE):
    """Poll ``condition`` until it is true (returns its value) or the deadline passes."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.1)


def database_url() -> str:
    """The test database (test_...), as the workers must reach it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Jobs:
    """Starts workers and beat against the test database, the broker and an SMTP port."""

    def __init__(self, tmp_path: Path, smtp_port: int) -> None:
        self.tmp_path = tmp_path
        self.smtp_port = smtp_port
        self.processes: dict[str, subprocess.Popen] = {}
        self.broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="tracker.settings", READ_DOT_ENV="false", DEBUG="false",
            SECRET_KEY=settings.SECRET_KEY, DATABASE_URL=database_url(),
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}", EMAIL_TIMEOUT="5",
            REMINDERS_RETRY_SECONDS="1", REMINDERS_TICK_SECONDS="1", LOG_LEVEL="INFO",
        )  # fmt: skip
        return env

    def _start(self, name: str, args: list[str], ready: str) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", *args],
            cwd=ROOT, env=self.env(), stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes[name] = process
        until(lambda: ready in log.read_text() or process.poll() is not None, f"{name} to start")
        assert process.poll() is None, log.read_text()
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self._start(
            name,
            ["worker", "--pool", "solo", "--hostname", f"{name}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            ready="ready.",
        )  # fmt: skip

    def beat(self) -> subprocess.Popen:
        schedule = self.tmp_path / "beat-schedule"
        return self._start(
            "beat", ["beat", "--schedule", str(schedule), "--loglevel", "INFO"],
            ready="beat: Starting",
        )  # fmt: skip

    def kill(self, name: str) -> None:
        """kill -9: no warm shutdown, no acknowledgement, nothing handed back."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self.processes.clear()

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text()

    # --- the broker ---------------------------------------------------------------------------

    def queued(self) -> int:
        return sum(
            self.broker.llen(key)
            for key in self.broker.scan_iter("celery*")
            if self.broker.type(key) == b"list"
        )

    def unacked(self) -> set[bytes]:
        return set(self.broker.hkeys("unacked"))

    def idle(self, *, ignoring: set[bytes] = frozenset()) -> bool:
        """No task waits in the queue and none is in a live worker's hands."""
        return self.queued() == 0 and not (self.unacked() - ignoring)


@pytest.fixture
def inbox():
    server = Inbox().start()
    yield server
    server.stop()


@pytest.fixture
def jobs(transactional_db, tmp_path, inbox):
    """Worker and beat launcher; Redis database of this suite emptied before and after."""
    launcher = Jobs(tmp_path, inbox.port)
    launcher.broker.flushdb()
    yield launcher
    launcher.stop_all()
    launcher.broker.flushdb()


def followers(body, count: int, *, prefix: str = "delegate") -> list:
    from documents.services.subscriptions import subscription_create

    member = DelegationFactory(code="BE")
    users = []
    for n in range(count):
        user = UserFactory(username=f"{prefix}{n}")
        UserProfile.objects.create(user=user, delegation=member)
        subscription_create(user=user, body=body)
        users.append(user)
    return users


def meeting_in_a_week(body):
    """A meeting a week from today (Brussels), at 10:00: its 7-day reminder is due now."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return meeting_create(body=body, starts_at=starts)


def test_beat_and_a_worker_send_each_reminder_once_as_its_recipient_may_see_it(jobs, inbox):
    """GIVEN a meeting in a week with a public, a LIMITE and a WK document on its agenda,
    followed by a member state's delegate and an observer
    WHEN beat ticks (every second here) and a worker runs the ticks
    THEN each gets one e-mail over SMTP, with both parts and one-click unsubscribe; the
    observer's names neither the LIMITE nor the WK document; more ticks send nothing more."""
    from documents.services.subscriptions import subscription_create

    body = BodyFactory(name="Law Enforcement Working Party (Police)", abbreviation="LEWP")
    public = DocumentFactory(subject="Public agenda of the presidency")
    limite = DocumentFactory(subject="Limite compromise text", distribution=Distribution.LIMITE)
    wk = DocumentFactory(series="WK", subject="Working paper", distribution=Distribution.LIMITE)
    meeting = meeting_in_a_week(body)
    agenda_item_add(meeting=meeting, title="Detection orders", documents=[public, limite, wk])
    (delegate,) = followers(body, 1)
    observer = UserFactory(username="observer")
    UserProfile.objects.create(
        user=observer, delegation=DelegationFactory(code="NO", kind="observer")
    )
    subscription_create(user=observer, body=body)

    jobs.worker("w1")
    jobs.beat()
    until(lambda: len(inbox.messages) >= 2, "two reminders over SMTP")
    sent_at = timezone.now()
    until(
        lambda: (
            (jobs_status().beat_ticked_at or sent_at) > sent_at + datetime.timedelta(seconds=2)
            and jobs.idle()
        ),
        "two more ticks to be done",
    )

    assert sorted(m["To"] for m in inbox.messages) == [
        "delegate0@example.eu",
        "observer@example.eu",
    ]
    for message in inbox.messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert str(message["List-Unsubscribe"]).strip().startswith("<http")
        kinds = {part.get_content_type() for part in message.iter_parts()}
        assert kinds == {"text/plain", "text/html"}
    (mine,) = inbox.to(delegate.email)
    (theirs,) = inbox.to(observer.email)
    mine_text = mine.as_string()
    theirs_text = "\n".join(part.get_content() for part in theirs.iter_parts())
    assert "Limite compromise text" in "\n".join(p.get_content() for p in mine.iter_parts())
    assert limite.cover_reference in mine_text
    assert public.subject in theirs_text
    for document in (limite, wk):
        assert not any(name in theirs_text for name in names_of(document)), document
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    status = jobs_status()
    assert status.beat_ticked_at is not None
    assert status.worker_finished_at is not None
    assert status.healthy
    assert set(Heartbeat.objects.values_list("name", flat=True)) >= {
        HeartbeatName.BEAT, HeartbeatName.WORKER,
    }  # fmt: skip


def test_mail_server_down_mid_run_nothing_is_lost(jobs, inbox):
    """GIVEN a worker that sent a first reminder WHEN the SMTP server stops and three more are
    handed to the worker THEN they stay pending with the error; once the server is back they
    go out, each once."""
    body = BodyFactory()
    meeting_in_a_week(body)
    first = followers(body, 1, prefix="early")
    reminders_evaluate(now=timezone.now())
    jobs.worker("w1")  # a starting worker sends what is due
    until(lambda: len(inbox.messages) == 1, "the first e-mail")

    inbox.stop()
    rest = followers(body, 3, prefix="late")
    reminders_evaluate(now=timezone.now())
    later = list(Notification.objects.filter(recipient__in=rest))
    for notification in later:
        send_notification.delay(notification.pk)
    until(
        lambda: all(n.attempts >= 1 for n in Notification.objects.filter(recipient__in=rest)),
        "the three to fail while the server is down",
    )
    failed = list(Notification.objects.filter(recipient__in=rest))
    inbox.start()  # the same port
    until(lambda: len(inbox.messages) == 4, "the three to go out once the server is back")
    until(jobs.idle, "the worker to finish")

    assert {(n.status, n.last_error.split(":")[0]) for n in failed} == {
        ("pending", "ConnectionRefusedError")
    }
    assert sorted(m["To"] for m in inbox.messages) == sorted(u.email for u in first + rest)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert all(n.attempts >= 2 for n in Notification.objects.filter(recipient__in=rest))


def test_two_workers_on_the_same_due_reminders_send_each_once(jobs, inbox):
    """GIVEN two running workers WHEN ten reminders fall due and every send task is handed out
    twice, and beat's tick fires twice, to both workers at once THEN each recipient gets
    exactly one e-mail: the other attempts find the notification taken or sent."""
    body = BodyFactory()
    meeting_in_a_week(body)
    users = followers(body, 10)
    jobs.worker("w1")
    jobs.worker("w2")
    until(jobs.idle, "the workers to settle")

    reminders_evaluate(now=timezone.now())
    tick_reminders.delay()
    for notification_id in Notification.objects.values_list("pk", flat=True):
        send_notification.delay(notification_id)
        send_notification.delay(notification_id)
    tick_reminders.delay()
    until(lambda: len(inbox.messages) >= 10, "ten e-mails")
    until(jobs.idle, "both workers to finish every task")

    assert sorted(m["To"] for m in inbox.messages) == sorted(u.email for u in users)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 10
    outcomes = [
        re.findall(r"send_notification\[[^]]+\] succeeded in \S+: '([a-z-]+)'", jobs.log(name))
        for name in ("w1", "w2")
    ]
    assert all(outcomes), outcomes  # both workers took part
    everything = outcomes[0] + outcomes[1]
    assert everything.count("sent") == 10
    assert everything.count("not-due") >= 10  # the duplicates, refused by the outbox


def test_a_worker_killed_mid_queue_loses_nothing(jobs, inbox):
    """GIVEN five reminders handed to a worker WHEN it is killed (-9) while sending the second
    (the SMTP server holds it before accepting) THEN a new worker sends the rest, and the one
    in flight, each once."""
    body = BodyFactory()
    meeting_in_a_week(body)
    users = followers(body, 5)
    reminders_evaluate(now=timezone.now())
    inbox.hold_at = 2
    jobs.worker("w1")

    for notification_id in Notification.objects.order_by("pk").values_list("pk", flat=True):
        send_notification.delay(notification_id)
    until(inbox.holding.is_set, "the worker to be in the middle of the second e-mail")
    jobs.kill("w1")
    in_hands_of_the_dead = jobs.unacked()
    inbox.release()
    jobs.worker("w2")
    until(lambda: len(inbox.messages) >= 5, "all five e-mails")
    until(lambda: jobs.idle(ignoring=in_hands_of_the_dead), "the new worker to finish")

    assert sorted(m["To"] for m in inbox.messages) == sorted(u.email for u in users)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 5
