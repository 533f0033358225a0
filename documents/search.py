"""Full-text search over documents: the one seam between PostgreSQL and the SQLite demo.

PostgreSQL matches ``websearch_to_tsquery`` against an expression GIN index on the subject
(English configuration, which is the original language of almost every Council text); SQLite
falls back to every word appearing in the subject, case-insensitively.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Exists, OuterRef, Q, QuerySet

SEARCH_CONFIG = "english"
# Kept identical to the expression of the GIN index in the migration, so the index is used.
SUBJECT_VECTOR = SearchVector("subject", config=SEARCH_CONFIG)


def documents_search(documents: QuerySet, text: str) -> QuerySet:
    """Documents of ``documents`` whose subject matches the words of ``text``; none when
    ``text`` has no word to search for (a lone quote, stop words only)."""
    if connection.vendor == "postgresql":
        if not _has_lexemes(text, using=documents.db):
            return documents.none()  # an empty query would read every subject to match none
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return documents.annotate(subject_vector=SUBJECT_VECTOR).filter(subject_vector=query)
    matches = Q()
    for word in text.split():
        matches &= Q(subject__icontains=word)
    return documents.filter(matches)


def _has_lexemes(text: str, *, using: str) -> bool:
    """Whether ``text`` holds a word to search for (asked of the database the list reads)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, text]
        )
        return cursor.fetchone()[0] > 0


def documents_find(documents: QuerySet, text: str) -> QuerySet:
    """Documents of ``documents`` a clerk means by ``text``, by any name on a cover, each
    through an index:

    - a reference in any spelling (``5397/24``, ``5397-24``, ``ST 5397 2024``, ``WK 9107/22``,
      ``9068/22 ADD 1``): that document (without a suffix, every version of the number) and
      the documents citing it;
    - a procedure (``2023/0452(COD)``, ``2023/0452 (COD)``): its documents;
    - a subject code, with or without its number (``JAI 64``, ``ENFOPOL``): its documents;
    - anything else: words of the subject (full-text; a lone quote or a stop word matches
      nothing, never everything).
    """
    from documents.models import Citation, DocumentProcedure, DocumentSubjectCode, SubjectCode
    from documents.references import (
        InvalidReference,
        parse_document_reference,
        parse_procedure_reference,
    )
    from documents.services.subject_codes import parse_subject_code_label

    term = " ".join(text.split())
    if not term:
        return documents
    for spelling in (term, re.sub(r"(?<=\d)-(?=\d)", "/", term)):
        try:
            reference = parse_document_reference(spelling)
        except InvalidReference:
            continue
        own = documents.model.objects.filter(
            series=reference.series, number=reference.number, year=reference.year
        )
        if reference.suffixes or term.upper().endswith("INIT"):
            own = own.filter(reference=reference.canonical)
        ids = set(own.values_list("pk", flat=True))
        ids |= set(
            Citation.objects.filter(reference=reference.canonical).values_list(
                "document_id", flat=True
            )
        )
        return documents.filter(pk__in=ids)
    try:
        procedure = parse_procedure_reference(term)
    except InvalidReference:
        pass
    else:
        links = DocumentProcedure.objects.filter(procedure__reference=procedure.canonical)
        return documents.filter(Exists(links.filter(document=OuterRef("pk"))))
    try:
        label = parse_subject_code_label(term)
    except ValidationError:
        label = None
    if label is not None and (code := SubjectCode.objects.filter(code=label.code).first()):
        links = DocumentSubjectCode.objects.filter(subject_code=code)
        if label.number is not None:
            links = links.filter(allocation__number=label.number)
        return documents.filter(Exists(links.filter(document=OuterRef("pk"))))
    return documents_search(documents, term)
