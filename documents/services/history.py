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


def links_replace(
    model: type[M], *, owner: dict, field: str, wanted, among=None, by=None
) -> set[int]:
    """Make the ``model`` links of ``owner`` (e.g. ``{"document": d}``) point at exactly
    ``wanted`` (through ``field``), with history; only links to ``among`` are touched (the
    others, e.g. to documents the user may not see, stay). Returns the ids linked or unlinked.
    """
    links = model.objects.filter(**owner)
    if among is not None:
        links = links.filter(**{f"{field}__in": among})
    current = {getattr(link, f"{field}_id"): link for link in links}
    wanted_ids = {item.pk for item in wanted}
    removed = {pk for pk in current if pk not in wanted_ids}
    for pk in removed:
        current[pk]._history_user = by
        current[pk].delete()
    added = [item for item in wanted if item.pk not in current]
    links_create([model(**owner, **{field: item}) for item in added], by=by)
    return removed | {item.pk for item in added}
