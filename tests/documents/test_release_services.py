"""Releasing, undoing a release and classifying, called directly: every refusal names its field
and writes nothing, and two of them on one document at once never both succeed (each service
locks the document before it checks it)."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from documents.models import Classification, Document, ReleaseReason, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import (
    document_classify,
    document_file_add,
    document_release,
    document_release_undo,
)
from documents.services import release as release_services
from tests.documents.test_service_guards import everything
from tests.factories import DocumentFactory, UserFactory


def staff(role: Role, clearance: int = 0):
    user = UserFactory()
    UserProfile.objects.create(user=user, clearance=clearance)
    user_role_set(user=user, role=role)
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def people(db):
    roles_set_up()
    return {
        "supervisor": staff(Role.SUPERVISOR),
        "officer": staff(Role.SECURITY_OFFICER, Classification.CONFIDENTIEL_UE),
    }


def limite(**fields) -> Document:
    return DocumentFactory(distribution="LIMITE", **fields)


def released() -> Document:
    document = limite()
    Document.objects.filter(pk=document.pk).update(
        released_at=timezone.now() - datetime.timedelta(days=1),
        released_by=UserFactory(),
        release_reason=ReleaseReason.ACT_ADOPTED,
    )
    return Document.objects.get(pk=document.pk)


def with_file() -> Document:
    document = limite()
    document_file_add(document=document, language="en", upload=ContentFile(b"t", name="t.txt"))
    return document


def release(document, people, reason=ReleaseReason.ACT_ADOPTED, note=""):
    return document_release(
        document=document, reason=reason, note=note, released_by=people["supervisor"]
    )


def undo(document, people, reason="released in error"):
    return document_release_undo(document=document, reason=reason, undone_by=people["supervisor"])


def classify(document, people, level=Classification.RESTREINT_UE):
    return document_classify(
        document=document, classification=level, classified_by=people["officer"]
    )


# (what the document is, the call, the field named, words of the message)
REFUSALS = {
    "release a public document": (DocumentFactory, release, "distribution", "public already"),
    "release a classified document": (
        lambda: limite(classification=Classification.RESTREINT_UE), release, "classification",
        "declassified, not released",
    ),
    "release twice": (released, release, "released_at", "released already"),
    "release for no known reason": (
        limite, lambda d, p: release(d, p, reason="because"), "release_reason", "choose why",
    ),
    "release on request without its reference": (
        limite, lambda d, p: release(d, p, reason=ReleaseReason.ACCESS_REQUEST, note="  "),
        "release_note", "access request",
    ),
    "undo without a reason": (released, lambda d, p: undo(d, p, reason=" "), "reason", "say why"),
    "undo what is not released": (limite, undo, "released_at", "is not released"),
    "classify at an unknown level": (
        limite, lambda d, p: classify(d, p, level=9), "classification", "is not a level",
    ),
    "classify above one's clearance": (
        limite, lambda d, p: classify(d, p, level=Classification.SECRET_UE), "classification",
        "above your own clearance",
    ),
    "classify a document with files": (with_file, classify, "classification", "has files"),
    "classify a released document": (released, classify, "classification", "released to the"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_each_refusal_names_its_field_and_writes_nothing(people, case):
    prepare, call, field, words = case
    document = prepare()
    before = everything()

    with pytest.raises(ValidationError) as refused:
        call(Document.objects.get(pk=document.pk), people)

    assert words in " ".join(refused.value.message_dict[field])
    assert everything() == before


def test_what_may_be_done_is_done(people):
    """The controls of the refusals above: each service does its work on a fit document."""
    note = release(limite(), people, ReleaseReason.ACCESS_REQUEST, note=" 1049/2001 request 7 ")
    assert (note.release_reason, note.release_note) == ("access-request", "1049/2001 request 7")
    assert note.released_at is not None
    assert undo(note, people).released_at is None
    secret = classify(limite(), people, Classification.CONFIDENTIEL_UE)
    assert secret.classification == Classification.CONFIDENTIEL_UE
    assert classify(secret, people, Classification.UNCLASSIFIED).classification == 0


def test_a_long_reason_for_an_undo_is_kept_to_the_historys_100_characters(people):
    reason = "the act was not adopted: " + "x" * 200

    undo(released(), people, reason=reason)

    change = Document.history.order_by("-history_id").first().history_change_reason
    assert change == f"release undone: {reason}"[:100]


def test_an_officer_without_a_profile_has_no_clearance(people):
    officer = staff(Role.SECURITY_OFFICER)
    officer.profile.delete()
    officer = type(officer).objects.get(pk=officer.pk)
    document = limite()

    with pytest.raises(ValidationError, match="above your own clearance"):
        document_classify(
            document=document, classification=Classification.RESTREINT_UE, classified_by=officer
        )
    assert document_classify(document=document, classification=0, classified_by=officer)


# --- Two at once ------------------------------------------------------------------------------


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid]
        )
        return cursor.fetchone()[0]


PAIRS = {
    "two releases": (release, release),
    "two undos": (undo, undo),
    "a release and a classification": (release, classify),
    "a classification and a release": (classify, release),
}


@pytest.mark.slow
@pytest.mark.parametrize("pair", PAIRS.values(), ids=PAIRS.keys())
@pytest.mark.django_db(transaction=True)
def test_two_decisions_on_one_document_at_once_never_both_succeed(people, monkeypatch, pair):
    """GIVEN two services acting on one document at once, on real connections, each having
    read the document before the other writes (unless it waits for the other's lock)
    THEN exactly one succeeds and the other is refused, as if they had run one after the other.

    The interleaving is forced around ``_locked`` (the real function, wrapped): whoever has read
    the document waits until the other has read it too, or is waiting for its lock."""
    first, second = pair
    document = released() if first is undo else limite()
    real_locked = release_services._locked
    names = ("first", "second")
    pids: dict[str, int] = {}
    entered = {name: threading.Event() for name in names}
    have_read = {name: threading.Event() for name in names}

    def locked(document):
        me = threading.current_thread().name
        other = names[1 - names.index(me)]
        connection.ensure_connection()
        pids[me] = connection.connection.info.backend_pid
        entered[me].set()
        row = real_locked(document)
        have_read[me].set()
        if entered[other].wait(timeout=5):
            deadline = time.monotonic() + 30
            while not have_read[other].is_set() and not _waiting_for_a_lock(pids[other]):
                assert time.monotonic() < deadline, "the other service neither read nor waited"
                time.sleep(0.005)
        return row

    monkeypatch.setattr(release_services, "_locked", locked)
    outcomes: dict[str, str] = {}

    def act(call) -> None:
        try:
            call(Document.objects.get(pk=document.pk), people)
            outcomes[threading.current_thread().name] = "done"
        except ValidationError as error:
            outcomes[threading.current_thread().name] = f"refused: {error.messages}"
        except BaseException as error:  # surfaced in the main thread
            outcomes[threading.current_thread().name] = f"error: {error!r}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(call,), name=name)
        for name, call in zip(names, (first, second), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcome.split(":")[0] for outcome in outcomes.values()) == ["done", "refused"]
    final = Document.objects.get(pk=document.pk)
    assert not (final.released_at is not None and final.classification), "released and classified"
