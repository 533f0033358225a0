"""Procedures (interinstitutional files) and their timelines."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from documents.models import Body, Document, Procedure, ProcedureEvent, ProcedureStage
from documents.references import InvalidReference, parse_procedure_reference


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
    procedure.save()
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
    procedure_stage_sync(procedure=procedure)
    return event


def procedure_stage_sync(*, procedure: Procedure) -> Procedure:
    """Set the procedure's stage to that of its latest event that has one."""
    latest = procedure.events.exclude(stage="").order_by("-date", "-order").first()
    if latest is not None:
        procedure.stage = latest.stage
    procedure.full_clean()
    procedure.save()
    return procedure
