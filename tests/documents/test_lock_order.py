"""Counters are locked in one order, whatever the cover order and whatever the series: document
counters first, then subject-code counters, each sorted. Two registrations of different series
never wait on each other's document counter, so only that order keeps them from deadlocking
on their shared subject codes."""

import random
import re
import threading

import pytest
from django.db import connection

from documents.models import Document, SubjectCodeNumber
from tests.factories import DocumentFactory, SubjectCodeFactory

CODES = ["JAI", "ENFOPOL", "CODEC", "COPEN", "CRIMORG", "IXIM", "CYBER", "DATAPROTECT"]


@pytest.fixture
def codes(db):
    return [SubjectCodeFactory(code=code) for code in CODES]


def _locked_in_order(statements: list[tuple[str, list]]) -> list[str]:
    """The counters each statement of a registration locks, in the order it locks them."""
    order = []
    for sql, params in statements:
        if re.match(r"\s*INSERT INTO documents_counter", sql):
            order += [f"{params[i]} {params[i + 1]}" for i in range(0, len(params), 3)]
    return order


@pytest.mark.django_db
@pytest.mark.parametrize("series", ["ST", "PE-CONS", "WK"])
def test_a_registration_locks_its_counters_in_one_fixed_order(codes, series):
    """GIVEN registrations whose covers list the codes in every order
    THEN each locks the document counter, then the subject-code counters sorted by code."""
    rng = random.Random(7)
    for _ in range(5):
        cover = rng.sample(CODES, rng.randint(2, 6))
        statements = []

        def spy(execute, sql, params, many, context, statements=statements):
            statements.append((sql, list(params or [])))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(spy):
            DocumentFactory(series=series, subject_codes=cover)
        locked = _locked_in_order(statements)

        assert locked == sorted(locked), cover
        assert locked[0] == f"document:{series} 2024"
        numbered = series in ("ST", "PE-CONS")
        assert len(locked) == 1 + (len(cover) if numbered else 0), cover


THREADS = 4
PER_THREAD = 25


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_registrations_of_different_series_with_overlapping_codes_never_deadlock(codes):
    """GIVEN ST and PE-CONS registrations at once on real connections, every cover listing the
    same eight codes in a different order
    THEN all commit (no deadlock) and every code is numbered 1..n exactly once."""
    barrier = threading.Barrier(THREADS, timeout=60)
    errors: list[BaseException] = []

    def register(seed: int) -> None:
        rng = random.Random(seed)
        series = "ST" if seed % 2 else "PE-CONS"
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                DocumentFactory(
                    series=series, subject_codes=rng.sample(CODES, len(CODES)),
                    subject=f"{series} {seed}/{i}",
                )  # fmt: skip
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not errors, errors
    assert Document.objects.count() == THREADS * PER_THREAD
    for code in CODES:
        numbers = sorted(
            SubjectCodeNumber.objects.filter(subject_code__code=code).values_list(
                "number", flat=True
            )
        )
        assert numbers == list(range(1, THREADS * PER_THREAD + 1)), code
