"""Every write to the register goes through these functions (admin, API, commands, tasks)."""

from documents.services.documents import document_delete, document_derive, document_update
from documents.services.files import ALLOWED_MEDIA_TYPES, document_file_add
from documents.services.meetings import agenda_item_add, meeting_create
from documents.services.procedures import procedure_create, procedure_event_add
from documents.services.registration import (
    RegistrationError,
    document_register,
    documents_register,
)
from documents.services.release import (
    document_classify,
    document_release,
    document_release_undo,
)
from documents.services.subject_codes import SubjectCodeLabel, parse_subject_code_label

__all__ = [
    "ALLOWED_MEDIA_TYPES",
    "RegistrationError",
    "SubjectCodeLabel",
    "agenda_item_add",
    "document_classify",
    "document_delete",
    "document_derive",
    "document_file_add",
    "document_register",
    "document_release",
    "document_release_undo",
    "document_update",
    "documents_register",
    "meeting_create",
    "parse_subject_code_label",
    "procedure_create",
    "procedure_event_add",
]
