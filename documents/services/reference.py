"""Reference data (bodies, subject codes, delegations): saved and deleted with a trace for
mirrors. The admin saves them through here."""

from django.db import models, transaction

from documents.models import Body, ChangeKind, Delegation, RecordKind, SubjectCode
from documents.services.changes import record_changed

_KINDS: dict[type[models.Model], tuple[str, str]] = {
    # model: (record kind, field holding its public key)
    Body: (RecordKind.BODY, "slug"),
    SubjectCode: (RecordKind.SUBJECT_CODE, "code"),
    Delegation: (RecordKind.DELEGATION, "code"),
}


@transaction.atomic
def reference_record_save(*, record: models.Model, changed: list[str] | None = None):
    """Save a body, subject code or delegation; ``changed`` names the fields an edit changed
    (None: a new record). An edit that changes nothing logs nothing."""
    kind, key_field = _KINDS[type(record)]
    created = record.pk is None
    record.full_clean()
    if not created and not changed:
        return record
    record.save()
    record_changed(
        record=kind, record_id=record.pk, key=getattr(record, key_field),
        kind=ChangeKind.CREATED if created else ChangeKind.UPDATED, fields=changed or (),
    )  # fmt: skip
    return record


@transaction.atomic
def reference_record_delete(*, record: models.Model) -> None:
    """Delete a record nothing points at (PROTECT refuses the rest); mirrors are told."""
    kind, key_field = _KINDS[type(record)]
    pk, key = record.pk, getattr(record, key_field)
    record.delete()
    record_changed(record=kind, record_id=pk, key=key, kind=ChangeKind.DELETED)
