"""Lifting the LIMITE marking, and undoing a release made in error."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from documents.models import ChangeKind, Classification, Distribution, Document, ReleaseReason
from documents.services.changes import document_states, document_visibility_changed

RELEASE_PERMISSION = "documents.release_document"


def _locked(document: Document) -> tuple[Document, int]:
    """The document, locked, and its visibility state before the change."""
    document = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
    return document, document_states([document.pk])[document.pk]


def _require_release_permission(user: AbstractBaseUser) -> None:
    if not user.has_perm(RELEASE_PERMISSION):
        raise PermissionDenied("only a registry supervisor can release LIMITE documents")


@transaction.atomic
def document_release(
    *, document: Document, reason: str, released_by: AbstractBaseUser, note: str = ""
) -> Document:
    """Make a LIMITE document public, recording who, when and why.

    The document keeps its LIMITE marking (its history shows it); ``released_at`` makes it
    public. A granted access request must name the request in ``note``.
    """
    _require_release_permission(released_by)
    document, was = _locked(document)
    if reason not in ReleaseReason.values:
        raise ValidationError({"release_reason": "choose why the document may be released"})
    if reason == ReleaseReason.ACCESS_REQUEST and not note.strip():
        raise ValidationError({"release_note": "give the reference of the granted access request"})
    if document.distribution != Distribution.LIMITE:
        raise ValidationError({"distribution": f"{document} is not LIMITE: it is public already"})
    if document.classification != Classification.UNCLASSIFIED:
        raise ValidationError(
            {"classification": f"{document} is classified: it is declassified, not released"}
        )
    if document.released_at is not None:
        raise ValidationError({"released_at": f"{document} was released already"})
    document.released_at = timezone.now()
    document.released_by = released_by
    document.release_reason = reason
    document.release_note = note.strip()
    document._change_reason = f"released: {ReleaseReason(reason).label}"
    document._history_user = released_by
    document.full_clean()
    document.save()
    document_visibility_changed(document, kind=ChangeKind.RELEASED, was=was, fields=["released_at"])
    return document


@transaction.atomic
def document_release_undo(
    *, document: Document, reason: str, undone_by: AbstractBaseUser
) -> Document:
    """Withdraw a release made in error: the document is LIMITE again. The history keeps both."""
    _require_release_permission(undone_by)
    document, was = _locked(document)
    if not reason.strip():
        raise ValidationError({"reason": "say why the release is undone"})
    if document.released_at is None:
        raise ValidationError({"released_at": f"{document} is not released"})
    document.released_at = None
    document.released_by = None
    document.release_reason = ""
    document.release_note = ""
    document._change_reason = f"release undone: {reason.strip()}"[:100]
    document._history_user = undone_by
    document.full_clean()
    document.save()
    document_visibility_changed(
        document, kind=ChangeKind.WITHDRAWN, was=was, fields=["released_at"]
    )
    return document


CLASSIFY_PERMISSION = "documents.classify_document"


@transaction.atomic
def document_classify(
    *, document: Document, classification: int, classified_by: AbstractBaseUser
) -> Document:
    """Set a document's EU classification (a security officer's decision, with history).

    Refused above the officer's own clearance, for a document that has files (the register
    keeps none of classified documents) and for a document already released to the public.
    """
    if not classified_by.has_perm(CLASSIFY_PERMISSION):
        raise PermissionDenied("only a security officer sets classifications")
    document, was = _locked(document)
    if classification not in Classification.values:
        raise ValidationError({"classification": f"{classification!r} is not a level"})
    profile = getattr(classified_by, "profile", None)
    if classification > (profile.clearance if profile else 0):
        raise ValidationError({"classification": "above your own clearance"})
    if classification and document.files.exists():
        raise ValidationError(
            {"classification": f"{document} has files: the register keeps none of classified "
             "documents"}
        )  # fmt: skip
    if classification and document.released_at is not None:
        raise ValidationError({"classification": f"{document} was released to the public"})
    document.classification = classification
    document._change_reason = f"classification: {Classification(classification).label}"[:100]
    document._history_user = classified_by
    document.full_clean()
    document.save()
    document_visibility_changed(
        document, kind=ChangeKind.CLASSIFIED, was=was, fields=["classification"]
    )
    return document
