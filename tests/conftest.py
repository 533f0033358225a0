"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache

from api.throttling import local_counts


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files and dumps go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DUMPS_ROOT = tmp_path / "dumps"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttling counts live in the cache (or, while it is down, in the process): each
    test starts with none."""
    cache.clear()
    local_counts.clear()
