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
    RecordKind,
)
from documents.services.changes import document_changed, record_changed, record_links_changed
from documents.services.history import links_create, links_replace

# What a meeting shows of a document it names (notice, outcome): nothing unless the caller may
# read that document in full, as for agendas.
_DOCUMENT_FIELDS = ("notice", "outcome_document")
MEETING_FIELDS = (
    "title", "starts_at", "ends_at", "place", "videoconference", "status", "outcome",
    *_DOCUMENT_FIELDS,
)  # fmt: skip


@transaction.atomic
def meeting_save(*, meeting: Meeting, by=None) -> Meeting:
    """Save a new or edited meeting (the admin's form instance, or one built by a service),
    and tell mirrors what changed: created, moved (its date or time), cancelled, or updated.

    A change of only its notice or outcome document is a link change: told only to callers who
    may read the document linked or unlinked. A save that changes nothing logs nothing.
    """
    meeting.key_assign()
    meeting.full_clean()
    if meeting.pk is None:
        meeting._history_user = by
        meeting.save()
        record_changed(record=RecordKind.MEETING, record_id=meeting.pk, key=meeting.key,
                       kind=ChangeKind.CREATED)  # fmt: skip
        return meeting
    stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
    changed = [
        name for name in ("body_id", *(_attname(f) for f in MEETING_FIELDS))
        if getattr(stored, name) != getattr(meeting, name)
    ]  # fmt: skip
    if not changed:
        return meeting
    meeting._history_user = by
    fields = {name.removesuffix("_id") for name in changed}
    if fields <= set(_DOCUMENT_FIELDS):
        # Only what it names of documents: not a change everyone sees, so ``updated_at``
        # (which everyone sees) stays.
        meeting.save(update_fields=changed)
        linked = {}
        for name in fields:
            before, after = getattr(stored, f"{name}_id"), getattr(meeting, f"{name}_id")
            if before is not None:
                linked[before] = False
            if after is not None:
                linked[after] = True
        record_links_changed(
            record=RecordKind.MEETING, record_id=meeting.pk, key=meeting.key, documents=linked
        )
        return meeting
    meeting.save()
    if "status" in fields and meeting.status == MeetingStatus.CANCELLED:
        kind = ChangeKind.CANCELLED
    elif fields & {"starts_at", "ends_at"}:
        kind = ChangeKind.MOVED
    else:
        kind = ChangeKind.UPDATED
    record_changed(
        record=RecordKind.MEETING, record_id=meeting.pk, key=meeting.key, kind=kind,
        fields=fields - set(_DOCUMENT_FIELDS),
    )  # fmt: skip
    return meeting


def _attname(field: str) -> str:
    return f"{field}_id" if field in _DOCUMENT_FIELDS else field


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
    by=None,
) -> Meeting:
    """Schedule a meeting of ``body``; times must be aware (they are stored in UTC)."""
    meeting = Meeting(
        body=body, starts_at=starts_at, ends_at=ends_at, title=title, place=place,
        videoconference=videoconference, status=status, notice=notice,
    )  # fmt: skip
    return meeting_save(meeting=meeting, by=by)


def meeting_update(*, meeting: Meeting, by=None, **fields) -> Meeting:
    """Move, cancel or correct a meeting: any of ``MEETING_FIELDS``."""
    if unknown := set(fields) - set(MEETING_FIELDS):
        raise ValidationError({"changes": f"cannot change {', '.join(sorted(unknown))} here"})
    meeting = Meeting.objects.get(pk=meeting.pk)
    for name, value in fields.items():
        setattr(meeting, name, value)
    return meeting_save(meeting=meeting, by=by)


def meeting_agenda_changed(*, meeting: Meeting) -> None:
    """The meeting's agenda items (order, titles, procedures) changed: everyone sees that."""
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
    record_changed(record=RecordKind.MEETING, record_id=meeting.pk, key=meeting.key,
                   fields=["agenda"])  # fmt: skip


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
    documents = list(documents)
    if Document.objects.filter(pk__in=[d.pk for d in documents]).count() != len(
        {d.pk for d in documents}
    ):
        raise ValidationError({"documents": "no such document (deleted meanwhile?)"})
    last = meeting.agenda_items.aggregate(last=Max("order"))["last"] or 0
    item = AgendaItem(meeting=meeting, order=last + 1, title=title)
    item.full_clean()
    item.save()
    links_create([AgendaItemProcedure(agenda_item=item, procedure=p) for p in procedures])
    listed = links_create([AgendaItemDocument(agenda_item=item, document=d) for d in documents])
    document_changed([link.document for link in listed], fields=["meetings"])
    meeting_agenda_changed(meeting=meeting)
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
    procedures_touched = links_replace(
        AgendaItemProcedure, owner={"agenda_item": item}, field="procedure",
        wanted=list(procedures),
    )  # fmt: skip
    before = set(item.documents.filter(pk__in=visible).values_list("pk", flat=True))
    touched = links_replace(
        AgendaItemDocument, owner={"agenda_item": item}, field="document", wanted=documents,
        among=visible,
    )  # fmt: skip
    document_changed(Document.objects.filter(pk__in=touched), fields=["meetings"])
    meeting = item.meeting
    if procedures_touched:
        meeting_agenda_changed(meeting=meeting)
    elif touched:  # only documents: told to those who may read them, updated_at stays
        record_links_changed(
            record=RecordKind.MEETING, record_id=meeting.pk, key=meeting.key,
            documents={pk: pk not in before for pk in touched},
        )  # fmt: skip


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by=None) -> None:
    """Delete a meeting nothing points at (an agenda refuses it: PROTECT); mirrors are told."""
    pk, key = meeting.pk, meeting.key
    meeting._history_user = by
    meeting.delete()
    record_changed(record=RecordKind.MEETING, record_id=pk, key=key, kind=ChangeKind.DELETED)
