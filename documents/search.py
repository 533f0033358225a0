"""Full-text search over documents: the one seam between PostgreSQL and the SQLite demo.

PostgreSQL matches ``websearch_to_tsquery`` against an expression GIN index on the subject
(English configuration, which is the original language of almost every Council text); SQLite
falls back to every word appearing in the subject, case-insensitively.
"""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

SEARCH_CONFIG = "english"
# Kept identical to the expression of the GIN index in the migration, so the index is used.
SUBJECT_VECTOR = SearchVector("subject", config=SEARCH_CONFIG)


def documents_search(documents: QuerySet, text: str) -> QuerySet:
    """Documents of ``documents`` whose subject matches the words of ``text``."""
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return documents.annotate(subject_vector=SUBJECT_VECTOR).filter(subject_vector=query)
    matches = Q()
    for word in text.split():
        matches &= Q(subject__icontains=word)
    return documents.filter(matches)
