"""Language files of documents: checked, hashed and stored."""

import hashlib
import mimetypes

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from documents.models import Classification, Document, DocumentFile
from documents.services.changes import document_changed

# What a Council document's text comes as.
ALLOWED_MEDIA_TYPES = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "text/plain": ".txt",
}


def _media_type_of(name: str) -> str:
    media_type, _encoding = mimetypes.guess_type(name, strict=False)
    return media_type or "application/octet-stream"


def document_file_check(*, document: Document, language: str, upload: File) -> str:
    """Why ``upload`` may not be stored as ``document``'s ``language`` file (raises), or its
    media type. Writes nothing: forms call it to validate, ``document_file_add`` to store."""
    document_file_check_unstored(document=document, upload=upload)
    if DocumentFile.objects.filter(document=document, language=language).exists():
        raise ValidationError({"language": f"{document} already has a file in {language}"})
    return _media_type_of(upload.name or "")


@transaction.atomic
def document_file_add(
    *,
    document: Document,
    language: str,
    upload: File,
    uploaded_by: AbstractBaseUser | None = None,
) -> DocumentFile:
    """Store the ``language`` version of ``document``'s text.

    Refused for classified documents (the register keeps their metadata only), for files over
    ``DOCUMENT_FILE_MAX_BYTES`` and for types other than ``ALLOWED_MEDIA_TYPES``. The SHA-256
    is computed while reading, so it is the digest of exactly what was stored.
    """
    document = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
    media_type = document_file_check(document=document, language=language, upload=upload)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    stored = DocumentFile(
        document=document,
        language=language,
        size=size,
        sha256=digest.hexdigest(),
        media_type=media_type,
        uploaded_by=uploaded_by,
    )
    stored.full_clean(exclude=["file"])
    # The file is written last: a refusal above leaves nothing on disk.
    stored.file.save(upload.name, upload, save=False)
    # The row is saved inside the transaction; a rollback after this point would leave an
    # orphan file on disk but never a row without its file.
    stored.save()
    document.save(update_fields=["updated_at"])  # its files are part of what it shows
    document_changed([document], fields=["files"])
    return stored


class FileRefused(ValidationError):
    """One file of ``document_files_add`` refused; ``index`` is its place in the list."""

    def __init__(self, error: ValidationError, index: int) -> None:
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.messages)
        self.index = index


@transaction.atomic
def document_files_add(
    items: list[tuple[Document, str, File]], *, uploaded_by: AbstractBaseUser | None = None
) -> list[DocumentFile]:
    """``document_file_add`` for many files at once (``(document, language, upload)``), in a
    fixed number of statements: what bulk intake stores with the documents it registers.

    The same refusals (``FileRefused``, whose ``index`` says which), all checked before
    anything is written; the documents are not locked (they are the caller's, registered in
    the same transaction).
    """
    if not items:
        return []
    documents = {document.pk: document for document, _language, _upload in items}
    taken = set(
        DocumentFile.objects.filter(document__in=list(documents)).values_list(
            "document_id", "language"
        )
    )
    media_types = []
    for index, (document, language, upload) in enumerate(items):
        try:
            if (document.pk, language) in taken:
                raise ValidationError({"language": f"{document} already has a file in {language}"})
            taken.add((document.pk, language))
            document_file_check_unstored(document=document, upload=upload)
        except ValidationError as error:
            raise FileRefused(error, index) from None
        media_types.append(_media_type_of(upload.name or ""))
    stored = []
    for (document, language, upload), media_type in zip(items, media_types, strict=True):
        digest = hashlib.sha256()
        size = 0
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        upload.seek(0)
        row = DocumentFile(
            document=document, language=language, size=size, sha256=digest.hexdigest(),
            media_type=media_type, uploaded_by=uploaded_by,
        )  # fmt: skip
        # Written before the rows, as document_file_add does: a rollback may leave an orphan
        # file on disk, never a row without its file.
        row.file.save(upload.name, upload, save=False)
        stored.append(row)
    bulk_create_with_history(stored, DocumentFile, default_user=uploaded_by)
    Document.objects.filter(pk__in=list(documents)).update(updated_at=timezone.now())
    document_changed(list(documents.values()), fields=["files"])
    return stored


def document_file_check_unstored(*, document: Document, upload: File) -> None:
    """The checks of ``document_file_check`` that need no query (classification, type, size)."""
    if document.classification != Classification.UNCLASSIFIED:
        raise ValidationError(
            {"file": f"{document} is classified: the register keeps no files of it"}
        )
    media_type = _media_type_of(upload.name or "")
    if media_type not in ALLOWED_MEDIA_TYPES:
        allowed = ", ".join(sorted(ALLOWED_MEDIA_TYPES.values()))
        raise ValidationError(
            {"file": f"{upload.name}: type {media_type} is not allowed ({allowed})"}
        )
    if upload.size is not None and upload.size > settings.DOCUMENT_FILE_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"{upload.name} is {upload.size} bytes; the limit is "
                f"{settings.DOCUMENT_FILE_MAX_BYTES}"
            }
        )
