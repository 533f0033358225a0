"""Subject-code counters are locked in one order (sorted by code), whatever the cover order and
whatever the series: two registrations of different series never wait on each other's document
counter, so only that order keeps them from deadlocking on their shared subject codes."""

import threading

import pytest
from django.db import connection

from documents.models import Document, SubjectCodeNumber
from documents.services import subject_codes
from tests.factories import DocumentFactory, SubjectCodeFactory

# Cover orders chosen so that locking in cover order deadlocks for certain: each registration's
# first code is the other's second (ST: JAI then ENFOPOL; PE-CONS: ENFOPOL then JAI). Sorted,
# their first codes differ (CODEC, COPEN) and the shared ones are taken one after the other.
COVERS = {
    "ST": ["JAI", "ENFOPOL", "CODEC"],
    "PE-CONS": ["ENFOPOL", "JAI", "COPEN"],
}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_registrations_of_different_series_with_overlapping_codes_do_not_deadlock(monkeypatch):
    """GIVEN an ST and a PE-CONS registration at once on real connections, both numbering
    ENFOPOL and JAI, and each holding its first subject-code lock before the other goes on
    THEN both commit (no deadlock) and every code is numbered 1..n exactly once.

    The step is enforced by a barrier inside ``counter_lock`` (the real function, wrapped):
    each registration waits, right after locking its first subject-code counter, until the
    other has locked its own first one too."""
    for code in ("JAI", "ENFOPOL", "CODEC", "COPEN"):
        SubjectCodeFactory(code=code)
    barrier = threading.Barrier(len(COVERS), timeout=60)
    locked_one = threading.local()
    real_counter_lock = subject_codes.counter_lock

    def counter_lock(*, scope: str, year: int):
        counter = real_counter_lock(scope=scope, year=year)
        if scope.startswith("subject-code:") and not getattr(locked_one, "done", False):
            locked_one.done = True
            barrier.wait()
        return counter

    monkeypatch.setattr(subject_codes, "counter_lock", counter_lock)
    errors: list[BaseException] = []

    def register(series: str) -> None:
        try:
            DocumentFactory(series=series, subject_codes=COVERS[series], subject=series)
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(series,)) for series in COVERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sorted(Document.objects.values_list("series", flat=True)) == ["PE-CONS", "ST"]
    numbers = {}
    for allocation in SubjectCodeNumber.objects.select_related("subject_code"):
        numbers.setdefault(allocation.subject_code.code, []).append(allocation.number)
    assert {code: sorted(taken) for code, taken in numbers.items()} == {
        "CODEC": [1],
        "COPEN": [1],
        "ENFOPOL": [1, 2],
        "JAI": [1, 2],
    }
