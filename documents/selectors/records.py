"""Meetings' agendas and procedures' timelines as the API and exports read them: plain rows for a
whole page, in a fixed number of queries (building model instances and prefetching them cost
more than the queries). Which of the documents they name a reader may read is asked of the rule
separately (``readable_references``)."""

from collections import defaultdict
from dataclasses import dataclass, field

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Document,
    ProcedureEvent,
)


@dataclass
class AgendaItemRow:
    order: int
    title: str
    procedures: list[tuple[str, str]] = field(default_factory=list)  # (reference, slug)
    documents: list[int] = field(default_factory=list)  # ids: shown only if readable


def meeting_agendas(meeting_ids) -> dict[int, list[AgendaItemRow]]:
    """Each meeting's agenda, in order (three queries for any number of meetings)."""
    agendas: dict[int, list[AgendaItemRow]] = defaultdict(list)
    items: dict[int, AgendaItemRow] = {}
    for pk, meeting_id, order, title in (
        AgendaItem.objects.filter(meeting_id__in=list(meeting_ids))
        .order_by("meeting_id", "order")
        .values_list("pk", "meeting_id", "order", "title")
    ):
        items[pk] = AgendaItemRow(order, title)
        agendas[meeting_id].append(items[pk])
    if items:
        for item_id, reference, slug in (
            AgendaItemProcedure.objects.filter(agenda_item_id__in=list(items))
            .order_by("-procedure__year", "-procedure__number")
            .values_list("agenda_item_id", "procedure__reference", "procedure__slug")
        ):
            items[item_id].procedures.append((reference, slug))
        for item_id, document_id in AgendaItemDocument.objects.filter(
            agenda_item_id__in=list(items)
        ).values_list("agenda_item_id", "document_id"):
            items[item_id].documents.append(document_id)
    return agendas


def procedure_timelines(procedure_ids) -> dict[int, list[tuple]]:
    """Each procedure's events, in order: (date, title, stage, document id or None)."""
    timelines: dict[int, list[tuple]] = defaultdict(list)
    for procedure_id, *event in (
        ProcedureEvent.objects.filter(procedure_id__in=list(procedure_ids))
        .order_by("procedure_id", "date", "order")
        .values_list("procedure_id", "date", "title", "stage", "document_id")
    ):
        timelines[procedure_id].append(tuple(event))
    return timelines


def readable_references(user, document_ids) -> dict[int, str]:
    """The references of those of ``document_ids`` that ``user`` may read in full (one query,
    probed by id)."""
    ids = set(document_ids) - {None}
    if not ids:
        return {}
    return dict(
        Document.objects.readable_by(user).filter(pk__in=ids).values_list("pk", "reference")
    )
