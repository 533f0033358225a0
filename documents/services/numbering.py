"""Gap-free numbers: documents per series and year, subject codes per code and year.

A number is taken inside the registration transaction from a counter row that stays locked
until commit; a rolled-back registration gives its number back. Locks are always taken in one
order, the document counter first, then subject-code counters sorted by code, so that two
registrations with overlapping codes cannot deadlock.
"""

from django.db import transaction

from documents.models import Counter


def document_scope(series: str) -> str:
    return f"document:{series}"


def subject_code_scope(code: str) -> str:
    return f"subject-code:{code}"


def counter_lock(*, scope: str, year: int) -> Counter:
    """Lock (creating it race-free if needed) the counter of ``scope`` and ``year``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("counters are locked inside the registration transaction only")
    # INSERT ... ON CONFLICT DO NOTHING: a concurrent creator waits for ours, or we for theirs.
    Counter.objects.bulk_create([Counter(scope=scope, year=year)], ignore_conflicts=True)
    return Counter.objects.select_for_update().get(scope=scope, year=year)
