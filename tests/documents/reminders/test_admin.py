"""Reminders at the registry desk: lead times, subscriptions, the outbox and release reviews,
each written through its service and each refused input refused on the form."""

import pytest
from django.test import Client

from documents.models import (
    Classification,
    Document,
    LeadTime,
    Notification,
    ReleaseReview,
    Subscription,
)
from tests.documents.reminders.conftest import follow

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def desk(people):
    def login(user) -> Client:
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return login


@pytest.mark.parametrize("days", ["0", "-3"])
def test_a_lead_time_of_zero_or_less_is_refused_by_the_form(people, desk, days):
    response = desk(people.clerk).post(
        "/admin/documents/leadtime/add/", {"rule": "meeting", "days": days}
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Ensure this value is greater than or equal to" in response.content.decode()
    assert not LeadTime.objects.filter(days__lte=0).exists()


def test_clerks_set_lead_times(people, desk):
    response = desk(people.clerk).post(
        "/admin/documents/leadtime/add/", {"rule": "comment-deadline", "days": "5"}
    )

    assert response.status_code == 302
    assert LeadTime.objects.filter(rule="comment-deadline", days=5).exists()


def test_clerks_subscribe_a_user_and_a_bad_filter_is_refused_on_its_field(people, register, desk):
    clerk = desk(people.clerk)

    added = clerk.post(
        "/admin/documents/subscription/add/",
        {"user": people.delegate.pk, "procedure": register.procedure.pk},
    )
    refused = clerk.post(
        "/admin/documents/subscription/add/",
        {"user": people.delegate.pk, "filter_query": "year=1800"},
    )
    twice = clerk.post(
        "/admin/documents/subscription/add/",
        {"user": people.delegate.pk, "procedure": register.procedure.pk},
    )

    assert added.status_code == 302
    assert people.delegate.subscriptions.get().target_label == "procedure 2023/0452(COD)"
    assert "year: a year from 1952 to 2099" in refused.content.decode()
    assert "you already follow procedure 2023/0452(COD)" in twice.content.decode()
    assert people.delegate.subscriptions.count() == 1


def test_clerks_cancel_subscriptions(people, register, desk):
    subscription = follow(people.delegate, body=register.body)

    desk(people.clerk).post(
        "/admin/documents/subscription/",
        {"action": "cancel_selected", "_selected_action": [subscription.pk]},
    )

    assert Subscription.objects.get(pk=subscription.pk).cancelled_at is not None


def test_the_outbox_names_only_documents_the_clerk_may_see(people, register, desk, run):
    """A security officer's cleared delegate follows a SECRET document's deadline: the clerk
    sees the e-mail in the outbox, never the document's reference."""
    cleared = people.person("cleared", delegation=people.member, clearance=3)
    secret, limite = register.documents["secret"], register.documents["limite"]
    Document.objects.filter(pk__in=[secret.pk, limite.pk]).update(comments_due="2024-02-01")
    follow(cleared, procedure=register.procedure.reference)
    run("2024-01-29 07:00")
    clerk = desk(people.clerk)

    page = clerk.get("/admin/documents/notification/").content.decode()

    assert Notification.objects.filter(object_id=secret.pk).exists()
    assert secret.reference not in page
    assert secret.subject not in page
    assert "a document you may not see" in page
    assert limite.reference in page
    assert secret.classification == Classification.SECRET_UE


def test_clerks_retry_failed_emails(people, register, desk, django_capture_on_commit_callbacks):
    notification = Notification.objects.create(
        rule="meeting", object_id=1, occurrence="7d@x", recipient=people.delegate,
        status="failed", attempts=8, last_error="SMTPDataError: 554",
    )  # fmt: skip

    with django_capture_on_commit_callbacks() as callbacks:
        desk(people.clerk).post(
            "/admin/documents/notification/",
            {"action": "retry_selected", "_selected_action": [notification.pk]},
        )

    notification.refresh_from_db()
    assert notification.status == "pending"
    assert notification.next_attempt_at is not None
    assert len(callbacks) == 1  # one send task, handed to a worker after commit


def test_supervisors_keep_a_limite_document_with_a_reason_clerks_may_not(people, register, desk):
    limite = register.documents["limite"]
    form = {"document": limite.pk, "reason": "Art. 4(1)(a): public security"}

    clerk = desk(people.clerk).post("/admin/documents/releasereview/add/", form)
    empty = desk(people.supervisor).post(
        "/admin/documents/releasereview/add/", {**form, "reason": ""}
    )
    kept = desk(people.supervisor).post("/admin/documents/releasereview/add/", form)

    assert clerk.status_code == 403
    assert empty.status_code == 200
    assert kept.status_code == 302
    review = ReleaseReview.objects.get()
    assert (review.document, review.kept_by) == (limite, people.supervisor)


@pytest.mark.parametrize(
    "page",
    [
        "/admin/documents/subscription/",
        "/admin/documents/leadtime/",
        "/admin/documents/notification/",
        "/admin/documents/releasereview/",
        "/admin/documents/reminderoptout/",
    ],
)
def test_every_reminders_page_of_the_desk_renders_for_a_supervisor(people, desk, page):
    assert desk(people.supervisor).get(page).status_code == 200
