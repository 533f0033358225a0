"""Procedures (interinstitutional files) and their timelines."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from documents.models import (
    Body,
    ChangeKind,
    Document,
    Procedure,
    ProcedureEvent,
    ProcedureStage,
    RecordKind,
)
from documents.references import InvalidReference, parse_procedure_reference
from documents.services.changes import record_changed


@transaction.atomic
def procedure_create(
    *,
    reference: str,
    title: str,
    commission_proposal: str = "",
    commission_proposal_date: datetime.date | None = None,
    lead_body: Body | None = None,
    stage: str = ProcedureStage.PROPOSAL,
) -> Procedure:
    """Register a procedure given in any spelling (``2017/0125 (COD)``, ``INI/2010/2103``)."""
    try:
        value = parse_procedure_reference(reference)
    except InvalidReference as error:
        raise ValidationError({"reference": str(error)}) from error
    if Procedure.objects.filter(reference=value.canonical).exists():
        raise ValidationError({"reference": f"procedure {value.canonical} is already registered"})
    procedure = Procedure(
        year=value.year,
        number=value.number,
        type=value.type,
        reference=value.canonical,
        title=title,
        commission_proposal=commission_proposal,
        commission_proposal_date=commission_proposal_date,
        lead_body=lead_body,
        stage=stage,
    )
    procedure.full_clean(exclude=["reference", "slug"])
    return procedure_save(procedure=procedure)


# What a clerk may change of a registered procedure (its reference never changes).
PROCEDURE_FIELDS = (
    "title", "commission_proposal", "commission_proposal_date", "lead_body", "stage",
    "adopted_act",
)  # fmt: skip


@transaction.atomic
def procedure_save(*, procedure: Procedure, by=None) -> Procedure:
    """Save a new or edited procedure (the admin's form instance, or one built by a service)
    and tell mirrors: created, or which fields changed. A save that changes nothing logs
    nothing."""
    procedure._history_user = by
    if procedure.pk is None:
        procedure.save()
        record_changed(record=RecordKind.PROCEDURE, record_id=procedure.pk, key=procedure.slug,
                       kind=ChangeKind.CREATED)  # fmt: skip
        return procedure
    stored = Procedure.objects.select_for_update().get(pk=procedure.pk)
    changed = [
        name for name in PROCEDURE_FIELDS
        if getattr(stored, _attname(name)) != getattr(procedure, _attname(name))
    ]  # fmt: skip
    if changed:
        procedure.full_clean()
        procedure.save()
        record_changed(record=RecordKind.PROCEDURE, record_id=procedure.pk, key=procedure.slug,
                       fields=changed)  # fmt: skip
    return procedure


def _attname(field: str) -> str:
    return "lead_body_id" if field == "lead_body" else field


def procedure_timeline_changed(*, procedure: Procedure, by=None) -> Procedure:
    """Events were added or corrected (the admin's inline): the stage follows the latest."""
    procedure = procedure_stage_sync(procedure=procedure)
    record_changed(record=RecordKind.PROCEDURE, record_id=procedure.pk, key=procedure.slug,
                   fields=["events"])  # fmt: skip
    return procedure


@transaction.atomic
def procedure_event_add(
    *,
    procedure: Procedure,
    date: datetime.date,
    title: str,
    stage: str = "",
    document: Document | None = None,
    adopted_act: str = "",
) -> ProcedureEvent:
    """Add an event to a procedure's timeline; a ``stage`` moves the file on if it is the latest.

    ``adopted_act`` names the act when the event adopts it (``Regulation (EU) 2021/1232``).
    """
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    same_day = procedure.events.filter(date=date).aggregate(last=Max("order"))["last"]
    event = ProcedureEvent(
        procedure=procedure,
        date=date,
        order=0 if same_day is None else same_day + 1,
        title=title,
        stage=stage,
        document=document,
    )
    event.full_clean()
    event.save()
    if adopted_act:
        if stage not in (ProcedureStage.ADOPTED, ProcedureStage.PUBLISHED):
            raise ValidationError({"adopted_act": "only an event that adopts the act names it"})
        procedure.adopted_act = adopted_act
    procedure_timeline_changed(procedure=procedure)
    return event


def procedure_stage_sync(*, procedure: Procedure) -> Procedure:
    """Set the procedure's stage to that of its latest event that has one."""
    latest = procedure.events.exclude(stage="").order_by("-date", "-order").first()
    if latest is not None:
        procedure.stage = latest.stage
    procedure.full_clean()
    procedure.save()
    return procedure


@transaction.atomic
def procedure_delete(*, procedure: Procedure, by=None) -> None:
    """Delete a procedure nothing points at (PROTECT refuses the rest); mirrors are told."""
    pk, key = procedure.pk, procedure.slug
    procedure._history_user = by
    procedure.delete()
    record_changed(record=RecordKind.PROCEDURE, record_id=pk, key=key, kind=ChangeKind.DELETED)
