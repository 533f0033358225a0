"""One-click unsubscribe (RFC 8058): a POST to the URL of ``List-Unsubscribe`` unsubscribes,
without logging in or a CSRF token; a GET only asks (mail scanners follow links)."""

import pytest
from django.test import Client

from documents.models import ReminderOptOut, Subscription
from documents.services import meeting_create
from tests.documents.reminders.conftest import at, follow


@pytest.fixture
def reminded(people, register, run):
    """The delegate follows the body and the procedure, and got a meeting reminder."""
    meeting_create(body=register.body, starts_at=at("2024-03-20 10:00"))
    body = follow(people.delegate, body=register.body)
    procedure = follow(people.delegate, procedure=register.procedure.reference)
    (mail,) = run("2024-03-13 08:00")
    url = mail.extra_headers["List-Unsubscribe"].strip("<>")
    return url.removeprefix("http://127.0.0.1:8000"), body, procedure


def active(subscription) -> bool:
    return Subscription.objects.get(pk=subscription.pk).cancelled_at is None


def test_get_asks_and_changes_nothing(reminded):
    path, body, _procedure = reminded

    page = Client().get(path)

    assert page.status_code == 200
    assert "Stop receiving e-mails for following body LEWP (Police)?" in page.content.decode()
    assert '<form method="post">' in page.content.decode()
    assert active(body)


def test_one_click_post_unsubscribes_without_login_or_csrf_token_once(reminded, run):
    path, body, procedure = reminded
    client = Client(enforce_csrf_checks=True)

    first = client.post(path, {"List-Unsubscribe": "One-Click"})
    again = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert first.status_code == again.status_code == 200
    assert "no more e-mails for following body LEWP (Police)" in first.content.decode()
    assert not active(body)
    assert active(procedure)  # only what that e-mail was sent for
    assert run("2024-03-19 08:00") == []  # the 1-day reminder is not sent


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_foreign_token_is_refused(reminded, method):
    path, body, _procedure = reminded
    tampered = path.replace("/unsubscribe/", "/unsubscribe/x")

    response = getattr(Client(), method)(tampered)

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert active(body)


def test_the_digest_link_stops_the_digest_only(people, register, clock, run):
    from documents.services import document_update

    follow(people.delegate, procedure=register.procedure.reference)
    clock("2024-03-11 09:00")
    document_update(document=register.documents["public"], recipients="Coreper")
    (digest,) = run("2024-03-12 07:00")
    path = (
        digest.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )

    page = Client().post(path)

    assert "no more e-mails for the daily digest e-mails" in page.content.decode()
    assert ReminderOptOut.objects.filter(user=people.delegate, rule="digest").exists()
    assert people.delegate.subscriptions.get().cancelled_at is None
