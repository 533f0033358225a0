"""LIMITE release review: once a procedure's act is adopted, its LIMITE documents not released
are due; supervisors are reminded every week until each is released or kept with a reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import ProcedureStage, ReleaseReason
from documents.services import document_release, procedure_event_add
from documents.services.subscriptions import release_review_keep, unsubscribe_apply
from tests.documents.reminders.conftest import follow, names_of, whole
from tests.factories import UserFactory


@pytest.fixture
def adopted(register):
    procedure_event_add(
        procedure=register.procedure, date=datetime.date(2024, 1, 10), title="Adopted",
        stage=ProcedureStage.ADOPTED, adopted_act="Regulation (EU) 2024/1307",
    )  # fmt: skip
    return register


def test_supervisors_are_told_of_the_limite_documents_due(people, adopted, run):
    """Hand-written: of the procedure's documents, the LIMITE ones not released that a release
    makes public are due (the LIMITE note, the note sent to the observer); the public one is
    not, the WK paper never becomes public (DOMAIN.md: any WK document, nothing), and the
    SECRET one is declassified, not released, and never shown at the registry desk."""
    follow(people.delegate, procedure=adopted.procedure.reference)
    documents = adopted.documents

    sent = run("2024-01-15 08:00")

    (mail,) = sent
    assert mail.to == [people.supervisor.email]
    assert mail.subject == "2 LIMITE document(s) of 2023/0452(COD) due for release review"
    for name in ("limite", "to_observer"):
        assert documents[name].cover_reference in whole(mail), name
    for name in ("public", "secret", "wk"):
        assert not any(text in whole(mail) for text in names_of(documents[name])), name
    assert "Regulation (EU) 2024/1307" in mail.body
    assert f"/admin/documents/document/{documents['limite'].pk}/change/" in mail.body


def test_weekly_until_each_is_released_or_kept(people, adopted, run):
    documents = adopted.documents

    first = run("2024-01-15 08:00")  # Monday of ISO week 3
    same_week = run("2024-01-19 08:00")
    document_release(
        document=documents["limite"], reason=ReleaseReason.ACT_ADOPTED,
        released_by=people.supervisor,
    )  # fmt: skip
    release_review_keep(
        document=documents["wk"], reason="Art. 4(1)(a): public security", kept_by=people.supervisor
    )
    week_4 = run("2024-01-22 08:00")
    release_review_keep(
        document=documents["to_observer"], reason="third-country relations",
        kept_by=people.supervisor,
    )  # fmt: skip
    week_5 = run("2024-01-29 08:00")

    assert len(first) == 1
    assert same_week == []
    (mail,) = week_4
    assert mail.subject == "1 LIMITE document(s) of 2023/0452(COD) due for release review"
    assert documents["to_observer"].cover_reference in mail.body
    assert documents["limite"].cover_reference not in mail.body
    assert week_5 == []


def test_no_reminder_before_adoption_or_to_anyone_but_supervisors(people, register, run):
    follow(people.delegate, procedure=register.procedure.reference)
    UserFactory(username="root", is_superuser=True, is_staff=True)

    assert run("2024-01-15 08:00") == []  # not adopted: nothing due
    procedure_event_add(
        procedure=register.procedure, date=datetime.date(2024, 1, 16), title="Adopted",
        stage=ProcedureStage.ADOPTED,
    )  # fmt: skip
    sent = run("2024-01-16 08:00")

    assert [m.to for m in sent] == [[people.supervisor.email]]  # not clerk, delegate, superuser


def test_a_supervisor_who_unsubscribes_is_no_longer_reminded(people, adopted, run):
    (mail,) = run("2024-01-15 08:00")
    token = mail.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]

    unsubscribe_apply(token=token)

    assert run("2024-01-22 08:00") == []


def test_keeping_needs_a_supervisor_a_reason_and_a_limite_document(people, adopted):
    limite, public = adopted.documents["limite"], adopted.documents["public"]

    with pytest.raises(PermissionDenied):
        release_review_keep(document=limite, reason="because", kept_by=people.clerk)
    with pytest.raises(ValidationError, match="say why"):
        release_review_keep(document=limite, reason="  ", kept_by=people.supervisor)
    with pytest.raises(ValidationError, match="is public"):
        release_review_keep(document=public, reason="because", kept_by=people.supervisor)
