"""The daily digest: one e-mail per user per day of what changed on what they follow, each
document with context, only documents they may read in full, none when nothing changed."""

import pytest
from django.core.files.base import ContentFile

from documents.models import Notification
from documents.services import agenda_item_add, document_file_add, document_update, meeting_create
from documents.services.subscriptions import unsubscribe_apply
from tests.documents.reminders.conftest import at, follow, names_of, whole
from tests.factories import DocumentFactory


@pytest.fixture
def followed(register, people):
    follow(people.delegate, procedure=register.procedure.reference)
    follow(people.observer, procedure=register.procedure.reference)
    return register


def test_a_digest_of_yesterdays_changes_with_their_context(people, followed, clock, run):
    documents = followed.documents
    clock("2024-03-11 09:00")
    document_update(document=documents["limite"], subject="Revised compromise text")
    meeting = meeting_create(body=followed.body, starts_at=at("2024-03-20 10:00"))
    agenda_item_add(meeting=meeting, title="Detection orders", documents=[documents["limite"]])
    document_file_add(
        document=documents["public"], language="fr", upload=ContentFile(b"t", name="t.txt")
    )

    assert run("2024-03-12 06:59") == []  # before the digest hour (07:00)
    sent = run("2024-03-12 07:00")
    again = run("2024-03-12 12:00") + run("2024-03-12 23:59")

    delegate = next(m for m in sent if m.to == [people.delegate.email])
    assert delegate.subject == "What changed on what you follow: 11 March 2024"
    text = delegate.body
    limite = documents["limite"]
    assert f"{limite.cover_reference}: Revised compromise text" in text
    assert "Changed: meetings (agendas), subject" in text
    assert "Procedure 2023/0452(COD): Interim regulation extension" in text
    assert "Meeting: LEWP (Police), 20 March 2024" in text
    assert "Because you follow procedure 2023/0452(COD)" in text
    assert f"{documents['public'].cover_reference}: Public agenda of the presidency" in text
    assert again == []


def test_the_observer_digest_names_no_document_it_may_not_read(people, followed, clock, run):
    documents = followed.documents
    clock("2024-03-11 09:00")
    for name in ("limite", "wk", "secret"):
        document_update(document=documents[name], originator="Presidency (revised)")
    document_update(document=documents["limite"], subject="Revised compromise text")

    sent = run("2024-03-12 07:30")

    # Only the delegate has something: the observer may read none of these in full.
    assert [m.to for m in sent] == [[people.delegate.email]]
    for name in ("secret",):
        assert not any(text in whole(sent[0]) for text in names_of(documents[name]))
    assert not Notification.objects.filter(recipient=people.observer).exists()


def test_one_email_per_user_per_day_and_none_when_nothing_changed(people, followed, clock, run):
    documents = followed.documents
    follow(people.delegate, subject_code="JAI")
    clock("2024-03-11 09:00")
    document_update(document=documents["public"], recipients="Coreper")
    document_update(document=documents["limite"], recipients="Coreper")
    DocumentFactory(subject="New note on the file", procedures=[followed.procedure])

    first = run("2024-03-12 07:00")
    quiet = run("2024-03-13 07:00")

    assert sorted(m.to[0] for m in first) == [people.delegate.email, people.observer.email]
    delegate = next(m for m in first if m.to == [people.delegate.email])
    assert "New document" in delegate.body
    assert "Because you follow procedure 2023/0452(COD), subject code JAI" in delegate.body
    assert quiet == []


def test_a_resave_or_an_edit_of_what_the_reader_may_not_see_sends_nothing(
    people, followed, clock, run
):
    documents = followed.documents
    clock("2024-03-11 09:00")
    documents["public"].save()
    document_update(document=documents["limite"], subject=documents["limite"].subject)
    document_update(document=documents["limite"], originator="Presidency (revised)")

    sent = run("2024-03-12 07:00")

    assert [m.to for m in sent] == [[people.delegate.email]]  # the observer reads no originator


def test_after_a_day_without_beat_the_next_digest_covers_both_days(people, followed, clock, run):
    documents = followed.documents
    clock("2024-03-10 09:00")
    run("2024-03-11 07:00")  # a digest made for 11 March (of 10 March: nothing)
    clock("2024-03-11 09:00")
    document_update(document=documents["public"], recipients="Coreper")
    clock("2024-03-12 09:00")
    document_update(document=documents["public"], originator="Presidency (revised)")

    sent = run("2024-03-13 08:00")  # beat was down all of 12 March

    delegate = next(m for m in sent if m.to == [people.delegate.email])
    assert delegate.subject == "What changed on what you follow: 11 March 2024 to 12 March 2024"
    assert "Changed: originator, recipients" in delegate.body


def test_unsubscribing_from_the_digest_keeps_the_other_reminders(people, followed, clock, run):
    clock("2024-03-11 09:00")
    document_update(document=followed.documents["public"], recipients="Coreper")
    sent = run("2024-03-12 07:00")
    delegate = next(m for m in sent if m.to == [people.delegate.email])
    token = delegate.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]

    unsubscribe_apply(token=token)
    clock("2024-03-12 09:00")
    document_update(document=followed.documents["public"], recipients="Delegations")
    later = run("2024-03-13 07:00")

    assert [m.to for m in later] == [[people.observer.email]]
    assert people.delegate.subscriptions.filter(cancelled_at__isnull=True).count() == 1
