"""Registering documents from their cover pages: what ``import_document`` and the admin's
*Register from file* write.

A cover read by ``documents.intake.parse_cover`` becomes a registration for
``documents_register`` under the cover's own reference (its number, and its subject codes'
numbers, are kept, never allocated here), with its procedures, subject codes and citations,
and the file as a language file. Cited documents not registered yet are kept as citations by
reference (the register's *placeholders*): registering them later links every citation.

``documents_intake`` takes a batch: new documents are registered together, in one
transaction, with their files; a registration refused by the service is taken out of the batch
and the rest registered again, so one bad cover never costs the others. A document already
registered is compared with its cover: fields the intake itself wrote are brought up to date,
fields a clerk wrote (the history says who wrote each value last) are kept unless
``overwrite``; links are only ever added; markings and subject codes are never changed here
(releasing, classifying and deriving are decisions), only reported.
"""

from documents.services.intake.batch import documents_intake
from documents.services.intake.covers import (
    cover_notes,
    cover_refusal,
    cover_registration,
    document_register_from_file,
    known_subject_codes,
)
from documents.services.intake.outcomes import (
    COVER_FIELDS,
    INTAKE,
    IntakeFile,
    IntakeOutcome,
    Status,
)
from documents.services.intake.updates import ClerkEdit, clerk_edits

__all__ = [
    "COVER_FIELDS",
    "INTAKE",
    "ClerkEdit",
    "IntakeFile",
    "IntakeOutcome",
    "Status",
    "clerk_edits",
    "cover_notes",
    "cover_refusal",
    "cover_registration",
    "document_register_from_file",
    "documents_intake",
    "known_subject_codes",
]
