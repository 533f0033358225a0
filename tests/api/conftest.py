"""Fixtures for the API tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _throttle_counts_cleared():
    """API rate limits count in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()
