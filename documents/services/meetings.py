"""Meetings and their agendas."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Body,
    ChangeKind,
    Document,
    Meeting,
    MeetingStatus,
    Procedure,
)
from documents.services.changes import documents_changed
from documents.services.history import links_create, links_replace


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
    listed = links_create([AgendaItemDocument(agenda_item=item, document=d) for d in documents])
    documents_changed([link.document_id for link in listed], ChangeKind.UPDATED)
    meeting.save(update_fields=["updated_at"])  # its agenda is part of what it shows
    return item


@transaction.atomic
def agenda_item_links_set(
    *, item: AgendaItem, procedures: Iterable[Procedure], documents: Iterable[Document], user
) -> None:
    """Make an agenda item point at exactly ``procedures`` and, among the documents ``user``
    may see, exactly ``documents``. Links to documents hidden from ``user`` stay as they are."""
    documents, visible = list(documents), Document.objects.visible_to(user)
    if len(visible.filter(pk__in=[d.pk for d in documents])) != len({d.pk for d in documents}):
        raise ValidationError({"documents": "no such document"})
    links_replace(
        AgendaItemProcedure, owner={"agenda_item": item}, field="procedure",
        wanted=list(procedures),
    )  # fmt: skip
    touched = links_replace(
        AgendaItemDocument, owner={"agenda_item": item}, field="document", wanted=documents,
        among=visible,
    )  # fmt: skip
    documents_changed(touched, ChangeKind.UPDATED)  # their meetings changed
    Meeting.objects.filter(pk=item.meeting_id).update(updated_at=timezone.now())
