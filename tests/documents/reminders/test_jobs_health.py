"""/healthz/jobs and the outbox admin show whether beat ticks and workers work, and the
outbox's counts; a beat silent for two tick intervals is unhealthy (503)."""

import pytest
from django.test import Client

from documents.models import HeartbeatName, Notification
from documents.services.outbox import heartbeat_record
from tests.documents.reminders.conftest import at
from tests.factories import UserFactory

URL = "/healthz/jobs"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def staff(people, outbox):
    """A clerk signed in (at the time of the outbox: sessions expire)."""
    client = Client()
    client.force_login(people.clerk, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def outbox(people, clock):
    """At 13 March 2024: 2 pending, 1 failed, 2 sent today and 1 sent yesterday."""
    clock("2024-03-13 12:00")
    rows = [("pending", None), ("pending", None), ("failed", None)]
    rows += [("sent", at("2024-03-13 08:00")), ("sent", at("2024-03-13 00:01"))]
    rows += [("sent", at("2024-03-12 23:59"))]
    due = at("2024-03-13 08:00")
    Notification.objects.bulk_create(
        Notification(
            rule="meeting", object_id=n, occurrence="x", recipient=people.delegate, status=status,
            sent_at=sent_at, next_attempt_at=due if status == "pending" else None,
        )
        for n, (status, sent_at) in enumerate(rows)
    )  # fmt: skip


def test_healthy_when_beat_and_workers_are_alive(staff, outbox, clock):
    heartbeat_record(name=HeartbeatName.BEAT, at=at("2024-03-13 11:55:30"))
    heartbeat_record(name=HeartbeatName.WORKER, at=at("2024-03-13 11:56"))

    response = staff.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "healthy": True,
        "beat": {"last_tick": "2024-03-13T10:55:30Z", "stale": False},
        "worker": {"last_job_finished": "2024-03-13T10:56:00Z", "stale": False},
        "notifications": {"pending": 2, "failed": 1, "sent_today": 2},
        "tick_seconds": 300,
    }


def test_a_beat_silent_for_two_intervals_is_unhealthy(staff, outbox, clock):
    heartbeat_record(name=HeartbeatName.BEAT, at=at("2024-03-13 11:50"))
    heartbeat_record(name=HeartbeatName.WORKER, at=at("2024-03-13 11:59"))

    fine = staff.get(URL)
    clock("2024-03-13 12:00:01")  # 10 minutes and a second after the last tick
    stale = staff.get(URL)

    assert fine.status_code == 200  # exactly two intervals: still fine
    assert stale.status_code == 503
    assert stale.json()["beat"]["stale"] is True
    assert stale.json()["healthy"] is False


def test_never_ticked_is_unhealthy(staff, outbox):
    response = staff.get(URL)

    assert response.status_code == 503
    assert response.json()["beat"] == {"last_tick": None, "stale": True}


def test_only_staff_or_the_monitoring_token_may_read_it(people, settings, outbox):
    settings.JOBS_HEALTH_TOKEN = "monitoring-secret-0123456789"
    delegate = Client()  # signed in, but no registry staff
    delegate.force_login(people.delegate, backend=MODEL_BACKEND)

    assert Client().get(URL).status_code == 403
    assert delegate.get(URL).status_code == 403
    assert Client().get(URL, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    monitored = Client().get(URL, HTTP_AUTHORIZATION="Bearer monitoring-secret-0123456789")
    assert monitored.status_code == 503  # allowed; no beat yet


def test_the_outbox_admin_shows_the_jobs(staff, outbox):
    heartbeat_record(name=HeartbeatName.WORKER, at=at("2024-03-13 11:56"))

    page = staff.get("/admin/documents/notification/").content.decode()

    assert "Jobs: NOT healthy" in page
    assert "beat last ticked: never (stale)" in page
    assert "a worker last finished a job: 13.03.2024 11:56:00" in page
    assert "pending: 2 · failed: 1 · sent today: 2" in page


def test_a_superuser_without_the_role_sees_it_too(db):
    root = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root, backend=MODEL_BACKEND)

    assert client.get(URL).status_code == 503
