"""``document_changes_seen_by(user, since=, until=)``: what changed, as each reader sees it.

Every expected answer below is written by hand from what happened in the test and from
DOMAIN.md's table of who may see what, never from the change log's rows: the selector will be
re-implemented on a new change log with these tests kept.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from documents.models import Distribution, ReleaseReason
from documents.selectors import document_changes_seen_by
from documents.services import (
    agenda_item_add,
    document_file_add,
    document_release,
    document_update,
    meeting_create,
)
from documents.services.changes import document_changed
from tests.documents.reminders.conftest import at
from tests.factories import DocumentFactory, ProcedureFactory

SINCE, UNTIL = at("2024-03-11 00:00"), at("2024-03-12 00:00")


@pytest.fixture
def before(register, people, clock):
    """The register as it stood before the window (registered on 10 March)."""
    clock("2024-03-10 12:00")
    cleared = people.person("cleared", delegation=people.member, clearance=3)
    readers = SimpleNamespace(
        anonymous=AnonymousUser(), delegate=people.delegate, observer=people.observer,
        cleared=cleared, clerk=people.clerk,
    )  # fmt: skip
    return SimpleNamespace(documents=register.documents, readers=readers, register=register)


def seen(user) -> list[tuple]:
    """(reference, kinds, fields, full access, change time shown) of each item."""
    return [
        (c.document.reference, c.kinds, c.fields, c.document.full_access, bool(c.changed_at))
        for c in document_changes_seen_by(user, since=SINCE, until=UNTIL)
    ]


def test_an_edit_of_a_field_only_full_readers_see(before, clock):
    clock("2024-03-11 09:00")
    document_update(document=before.documents["limite"], originator="General Secretariat")

    assert seen(before.readers.delegate) == [
        ("ST 2 2024 INIT", ("updated",), ("originator",), True, True)
    ]
    assert seen(before.readers.observer) == []
    assert seen(before.readers.anonymous) == []


def test_an_edit_of_a_listed_field_shows_as_listed_to_the_public(before, clock):
    clock("2024-03-11 09:00")
    document_update(document=before.documents["limite"], subject="Revised compromise text")

    assert seen(before.readers.delegate) == [
        ("ST 2 2024 INIT", ("updated",), ("subject",), True, True)
    ]
    # Listed only: what changed may be said, not when (a LIMITE document's times are private).
    assert seen(before.readers.observer) == [
        ("ST 2 2024 INIT", ("updated",), ("subject",), False, False)
    ]
    assert seen(before.readers.anonymous) == seen(before.readers.observer)


def test_hidden_documents_are_never_in_it(before, clock):
    clock("2024-03-11 09:00")
    document_update(document=before.documents["wk"], subject="Working paper, revised")
    document_update(document=before.documents["secret"], recipients="Coreper")

    assert seen(before.readers.observer) == []
    assert seen(before.readers.anonymous) == []
    assert seen(before.readers.delegate) == [
        ("WK 1 2024 INIT", ("updated",), ("subject",), True, True)
    ]
    assert seen(before.readers.cleared) == [
        ("ST 3 2024 INIT", ("updated",), ("recipients",), True, True),
        ("WK 1 2024 INIT", ("updated",), ("subject",), True, True),
    ]
    assert seen(before.readers.clerk) == [  # the desk never meets classified documents
        ("WK 1 2024 INIT", ("updated",), ("subject",), True, True)
    ]


def test_a_new_document_is_new_to_whoever_may_see_it(before, clock):
    clock("2024-03-11 09:00")
    DocumentFactory(subject="Fresh note", distribution=Distribution.LIMITE)

    assert seen(before.readers.delegate) == [("ST 5 2024 INIT", ("created",), (), True, True)]
    assert seen(before.readers.anonymous) == [("ST 5 2024 INIT", ("created",), (), False, False)]


def test_resaves_and_changes_undone_in_the_window_are_not_changes(before, clock):
    clock("2024-03-11 09:00")
    limite, public = before.documents["limite"], before.documents["public"]
    document_update(document=limite, subject=limite.subject, originator=limite.originator)
    public.save()
    document_changed([public], fields=["subject"])  # logged although nothing differs
    document_update(document=limite, recipients="Coreper")
    clock("2024-03-11 10:00")
    document_update(document=limite, recipients="Delegations")

    for reader in vars(before.readers).values():
        assert seen(reader) == [], reader


def test_changes_outside_the_window_are_not_in_it(before, clock):
    clock("2024-03-10 23:59")
    document_update(document=before.documents["limite"], originator="Before")
    clock("2024-03-12 00:00")
    document_update(document=before.documents["limite"], originator="After")

    assert seen(before.readers.delegate) == []


def test_a_release_is_news_to_those_who_now_read_the_document(before, clock):
    clock("2024-03-11 09:00")
    document_release(
        document=before.documents["limite"], reason=ReleaseReason.ACT_ADOPTED,
        released_by=before.readers.clerk.__class__.objects.get(username="supervisor"),
    )  # fmt: skip

    expected = [("ST 2 2024 INIT", ("released",), ("release_reason", "released_at"), True, True)]
    assert seen(before.readers.delegate) == expected
    assert seen(before.readers.observer) == expected
    assert seen(before.readers.anonymous) == expected


def test_links_files_and_agendas_are_changes_of_the_document(before, clock):
    clock("2024-03-11 09:00")
    limite, public = before.documents["limite"], before.documents["public"]
    document_update(document=limite, procedures=[ProcedureFactory(), before.register.procedure])
    document_file_add(document=public, language="fr", upload=ContentFile(b"t", name="t.txt"))
    meeting = meeting_create(body=before.register.body, starts_at=at("2024-03-20 10:00"))
    agenda_item_add(meeting=meeting, title="Item", documents=[public])

    assert seen(before.readers.delegate) == [
        ("ST 1 2024 INIT", ("updated",), ("files", "meetings"), True, True),
        ("ST 2 2024 INIT", ("updated",), ("procedures",), True, True),
    ]
    assert seen(before.readers.observer) == [
        ("ST 1 2024 INIT", ("updated",), ("files", "meetings"), True, True),
    ]


def test_a_citation_of_a_hidden_document_is_not_a_change_to_those_it_is_hidden_from(before, clock):
    clock("2024-03-11 09:00")
    public, secret = before.documents["public"], before.documents["secret"]
    document_update(document=public, cites=[secret.reference])

    assert seen(before.readers.delegate) == []
    assert seen(before.readers.cleared) == [
        ("ST 1 2024 INIT", ("updated",), ("cites",), True, True)
    ]
