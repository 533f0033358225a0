"""Meetings and their agendas."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Body,
    Document,
    Meeting,
    MeetingStatus,
    Procedure,
)
from documents.services.history import links_create


@transaction.atomic
def meeting_create(
    *,
    body: Body,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    title: str = "",
    place: str = "",
    videoconference: bool = False,
    status: str = MeetingStatus.PLANNED,
    notice: Document | None = None,
) -> Meeting:
    """Schedule a meeting of ``body``; times must be aware (they are stored in UTC)."""
    meeting = Meeting(
        body=body,
        starts_at=starts_at,
        ends_at=ends_at,
        title=title,
        place=place,
        videoconference=videoconference,
        status=status,
        notice=notice,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    procedures: Iterable[Procedure] = (),
    documents: Iterable[Document] = (),
) -> AgendaItem:
    """Append an item to the meeting's agenda, pointing at procedures and documents."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    last = meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0
    item = AgendaItem(meeting=meeting, order=last + 1, title=title)
    item.full_clean()
    item.save()
    links_create([AgendaItemProcedure(agenda_item=item, procedure=p) for p in procedures])
    links_create([AgendaItemDocument(agenda_item=item, document=d) for d in documents])
    return item
