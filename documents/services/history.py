"""Writing link rows so that the history tables see them too."""

from collections.abc import Sequence
from typing import TypeVar

from django.db import models
from simple_history.utils import bulk_create_with_history

M = TypeVar("M", bound=models.Model)


def links_create(objs: Sequence[M], *, by=None) -> list[M]:
    """``bulk_create`` that also writes one history row per link.

    Who made the change is ``by``, or else the user of the current request.
    """
    if not objs:
        return []
    return bulk_create_with_history(list(objs), type(objs[0]), default_user=by)
