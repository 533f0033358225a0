"""Reads that more than one door needs: history pages, the changes feed, documents as the API
shows them."""

from documents.selectors.changes import changes_seen_by, last_seen_change, seen
from documents.selectors.digest import DocumentChanges, document_changes_seen_by
from documents.selectors.documents import DocumentLinks, document_links, documents_for
from documents.selectors.history import (
    HIDDEN,
    HistoryEntry,
    citations_hidden_from,
    document_history,
    meeting_history,
    procedure_history,
)

__all__ = [
    "HIDDEN",
    "DocumentChanges",
    "DocumentLinks",
    "HistoryEntry",
    "changes_seen_by",
    "citations_hidden_from",
    "document_changes_seen_by",
    "document_history",
    "document_links",
    "documents_for",
    "last_seen_change",
    "meeting_history",
    "procedure_history",
    "seen",
]
