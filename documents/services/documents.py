"""Registering documents and deriving their versions (REV, ADD, COR, EXT, DCL)."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from documents.models import (
    Body,
    ChangeKind,
    Citation,
    Classification,
    Distribution,
    Document,
    DocumentBody,
    DocumentProcedure,
    Procedure,
)
from documents.references import (
    SUFFIX_KINDS,
    DocumentReference,
    InvalidReference,
    parse_document_reference,
    parse_procedure_reference,
    parse_suffix_chain,
)
from documents.services.changes import (
    document_changed,
    document_states,
    document_visibility_changed,
)
from documents.services.history import links_create, links_replace
from documents.services.numbering import counter_lock, document_scope
from documents.services.registration import document_register

PART_KINDS = ("ADD", "EXT", "DCL")


def _procedures_resolve(procedures: Iterable[str | Procedure]) -> list[Procedure]:
    resolved: list[Procedure] = []
    for item in procedures:
        if isinstance(item, Procedure):
            resolved.append(item)
            continue
        try:
            canonical = parse_procedure_reference(item).canonical
        except InvalidReference as error:
            raise ValidationError({"procedures": str(error)}) from error
        try:
            resolved.append(Procedure.objects.get(reference=canonical))
        except Procedure.DoesNotExist:
            raise ValidationError(
                {"procedures": f"procedure {canonical} is not registered"}
            ) from None
    return resolved


def _citations_resolve(cites: Iterable[str]) -> list[str]:
    references: list[str] = []
    for text in cites:
        try:
            canonical = parse_document_reference(text).canonical
        except InvalidReference as error:
            raise ValidationError({"cites": str(error)}) from error
        if canonical not in references:
            references.append(canonical)
    return references


def _citations_add(*, document: Document, references: list[str], by=None) -> None:
    registered = Document.objects.in_bulk(references, field_name="reference")
    links_create(
        [
            Citation(
                document=document,
                reference=reference,
                cited=registered.get(reference) if reference != document.reference else None,
                order=order,
            )
            for order, reference in enumerate(references, start=1)
            if reference != document.reference
        ],
        by=by,
    )


def _derived_suffixes(document: Document, kind: str) -> tuple[tuple[str, int], ...]:
    """The suffix chain of the next ``kind`` derived from ``document``."""
    chain = parse_suffix_chain(document.suffix)
    parts = tuple((k, n) for k, n in chain if k in PART_KINDS)
    revision = tuple((k, n) for k, n in chain if k == "REV")
    siblings = Document.objects.filter(
        series=document.series, number=document.number, year=document.year
    ).values_list("suffix", flat=True)
    chains = [parse_suffix_chain(s) for s in siblings]

    def next_n(prefix: tuple[tuple[str, int], ...]) -> int:
        """Next ``kind`` number among versions whose chain is exactly ``prefix`` + kind."""
        used = [
            dict(c)[kind]
            for c in chains
            if kind in dict(c) and tuple(p for p in c if p[0] != kind) == prefix
        ]
        return max(used, default=0) + 1

    if kind == "ADD":
        # An addendum belongs to the document number: ADD 1, ADD 2, ...
        return (("ADD", next_n(())),)
    if kind in ("EXT", "DCL"):
        base = tuple(p for p in parts if p[0] == "ADD")
        return (*base, (kind, next_n(base)))
    if kind == "REV":
        return (*parts, ("REV", next_n(parts)))
    return (*parts, *revision, ("COR", next_n((*parts, *revision))))


@transaction.atomic
def document_derive(
    *,
    document: Document,
    kind: str,
    date: datetime.date | None = None,
    registered_by: AbstractBaseUser | None = None,
    **changes,
) -> Document:
    """Register the next ``kind`` (REV, ADD, COR, EXT or DCL) of ``document`` on its number.

    The new version copies the cover of ``document`` (type, originator, recipients, subject,
    markings, procedures, bodies, subject codes with their numbers); ``changes`` override any of
    it. EXT and DCL versions are released texts: public and unclassified unless said otherwise.
    """
    kind = kind.upper()
    if kind not in SUFFIX_KINDS:
        raise ValidationError({"kind": f"{kind!r} is not one of {', '.join(SUFFIX_KINDS)}"})
    # Serialise derivations in this series and year (the same lock registration takes first).
    counter_lock(scope=document_scope(document.series), year=document.year)
    try:
        value = DocumentReference(
            series=document.series,
            number=document.number,
            year=document.year,
            suffixes=_derived_suffixes(document, kind),
        )
    except InvalidReference as error:
        raise ValidationError({"kind": f"cannot derive {kind} from {document}: {error}"}) from error
    cover = {
        "document_type": document.document_type,
        "originator": document.originator,
        "recipients": document.recipients,
        "subject": document.subject,
        "place": document.place,
        "original_language": document.original_language,
        "distribution": document.distribution,
        "classification": document.classification,
        "comments_due": document.comments_due,
        "procedures": list(document.procedures.all()),
        "bodies": list(document.bodies.all()),
        "distributed_to": list(document.distributed_to.all()),
        "subject_codes": [
            link.subject_code.code
            for link in document.subject_code_links.select_related("subject_code")
        ],
    }
    if kind in ("EXT", "DCL"):
        if document.classification and "classification" not in changes:
            raise ValidationError(
                {"classification": f"{document} is classified: say what the {kind} is classified "
                 "as (declassifying is a decision, never a default)"}
            )  # fmt: skip
        cover["distribution"] = Distribution.PUBLIC
        cover["classification"] = Classification.UNCLASSIFIED
    if unknown := set(changes) - set(cover):
        raise ValidationError({"changes": f"cannot set {', '.join(sorted(unknown))} on derive"})
    cover.update(changes)
    return document_register(
        series=value.series,
        number=value.number,
        year=value.year,
        suffix=value.suffix,
        parent=document,
        date=date or timezone.localdate(),
        registered_by=registered_by,
        **cover,
    )


# What a clerk may correct on a registered document. The reference, the markings and the
# subject codes are not among them: they change by deriving, releasing or the security officer.
EDITABLE_FIELDS = (
    "date",
    "place",
    "original_language",
    "document_type",
    "originator",
    "recipients",
    "subject",
    "comments_due",
)


@transaction.atomic
def document_update(
    *,
    document: Document,
    updated_by: AbstractBaseUser | None = None,
    procedures: Iterable[str | Procedure] | None = None,
    bodies: Iterable[Body] | None = None,
    cites: Iterable[str] | None = None,
    change_reason: str | None = None,
    **fields,
) -> Document:
    """Correct a registered document's cover data and links; None leaves a link set as it is.
    ``change_reason`` goes on the history row (the intake marks its own writes with it)."""
    if unknown := set(fields) - set(EDITABLE_FIELDS):
        raise ValidationError({"changes": f"cannot change {', '.join(sorted(unknown))} here"})
    document = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
    changed = {name: value for name, value in fields.items() if getattr(document, name) != value}
    if changed:  # no history row for a save that changes nothing
        for name, value in changed.items():
            setattr(document, name, value)
        document.full_clean()
        document._history_user = updated_by
        document._change_reason = change_reason
        document.save()
    touched = set(changed)
    if procedures is not None and links_replace(
        DocumentProcedure, owner={"document": document}, field="procedure",
        wanted=_procedures_resolve(procedures), by=updated_by,
    ):  # fmt: skip
        touched.add("procedures")
    if bodies is not None and links_replace(
        DocumentBody, owner={"document": document}, field="body", wanted=list(bodies),
        by=updated_by,
    ):  # fmt: skip
        touched.add("bodies")
    if cites is not None:
        references = _citations_resolve(cites)
        for citation in document.citations.exclude(reference__in=references):
            citation._history_user = updated_by
            citation.delete()
            touched.add("cites")
        known = set(document.citations.values_list("reference", flat=True))
        new_references = [r for r in references if r not in known]
        _citations_add(document=document, references=new_references, by=updated_by)
        if new_references:
            touched.add("cites")
    if touched:
        if not changed:  # only links changed: the row itself is touched (we hold its lock)
            document.save(update_fields=["updated_at"])
        document_changed([document], fields=touched)
    return document


@transaction.atomic
def document_delete(*, document: Document, deleted_by: AbstractBaseUser | None = None) -> None:
    """Delete a document nothing points at (PROTECT refuses the rest); mirrors are told."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    pk = document.pk
    was = document_states([pk])[pk]
    document._history_user = deleted_by
    document.delete()
    document_visibility_changed(document, kind=ChangeKind.DELETED, was=was, document_id=pk)
