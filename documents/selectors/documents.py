"""Documents as the API and exports read them: through the one rule, in a fixed number of
queries, and with every link probed by primary key (never ``IN (SELECT ... visible ...)``,
which reads every visible document to answer a page)."""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import QuerySet

from documents.models import Document


def documents_for(user) -> QuerySet:
    """Documents ``user`` may see, annotated with ``full_access`` (False: only what the public
    register lists) and ``public``. What a full representation names besides its own fields
    comes from ``document_links``, for a whole page at once."""
    return Document.objects.with_access(user)


@dataclass
class DocumentLinks:
    """What a document's full representation names, as plain values."""

    parent: str | None = None  # the reference of its parent, if the reader may see it
    procedures: list[tuple[str, str]] = field(default_factory=list)  # (reference, slug)
    subject_codes: list[str] = field(default_factory=list)  # "JAI 64", "WK codes: JAI"
    cites: list[tuple[str, bool]] = field(default_factory=list)  # (reference, reader sees it)
    meetings: list[str] = field(default_factory=list)  # keys of the meetings listing it
    files: list[tuple[str, int, str, str]] = field(default_factory=list)


# Every link row of a page of documents in one round trip: (kind, document, sort key, a, b, c, d)
# per row, the parts joined with UNION ALL (plain rows, not model instances: building those, and
# Django's prefetching, cost more than the queries).
_LINK_PARTS = {
    # procedures, newest first: reference, slug
    "procedure": """SELECT 'procedure', l.document_id,
            -CAST(p.year AS BIGINT) * 10000 - p.number, p.reference, p.slug, NULL, NULL
        FROM documents_documentprocedure l JOIN documents_procedure p ON p.id = l.procedure_id
        WHERE l.document_id IN ({ids})""",
    # files by language: language, sha256, media type, size
    "file": """SELECT 'file', f.document_id, 0, f.language, f.sha256, f.media_type,
            CAST(f.size AS TEXT)
        FROM documents_documentfile f WHERE f.document_id IN ({ids})""",
    # subject codes in cover order: code, number (if any)
    "code": """SELECT 'code', l.document_id, CAST(l."order" AS BIGINT) * 1000000000 + l.id,
            c.code, CAST(n.number AS TEXT), NULL, NULL
        FROM documents_documentsubjectcode l
        JOIN documents_subjectcode c ON c.id = l.subject_code_id
        LEFT JOIN documents_subjectcodenumber n ON n.id = l.allocation_id
        WHERE l.document_id IN ({ids})""",
    # citations in order: reference as written, the cited document's id (if registered)
    "cite": """SELECT 'cite', t.document_id, CAST(t."order" AS BIGINT) * 1000000000 + t.id,
            t.reference, CAST(t.cited_id AS TEXT), NULL, NULL
        FROM documents_citation t WHERE t.document_id IN ({ids})""",
    # meetings whose agenda lists the document: key
    "meeting": """SELECT DISTINCT 'meeting', l.document_id, 0, m."key", NULL, NULL, NULL
        FROM documents_agendaitemdocument l
        JOIN documents_agendaitem i ON i.id = l.agenda_item_id
        JOIN documents_meeting m ON m.id = i.meeting_id
        WHERE l.document_id IN ({ids})""",
}


def document_links(user, documents) -> dict[int, DocumentLinks]:
    """The links of those of ``documents`` (of ``documents_for(user)``) ``user`` reads in full,
    in two queries whatever their number: every link row (``_LINK_PARTS``), then the parents
    and cited documents ``user`` may see, asked of the rule by primary key."""
    full = [document for document in documents if document.full_access]
    links = {document.pk: DocumentLinks() for document in full}
    if not links:
        return links
    ids = sorted(links)
    marks = ", ".join(["%s"] * len(ids))
    sql = " UNION ALL ".join(part.format(ids=marks) for part in _LINK_PARTS.values())
    with connections[Document.objects.db].cursor() as cursor:
        cursor.execute(sql, ids * len(_LINK_PARTS))
        rows = sorted(cursor.fetchall(), key=lambda row: (row[1], row[2], row[3]))
    cited = {}
    for kind, document_id, _order, a, b, c, d in rows:
        held = links[document_id]
        if kind == "procedure":
            held.procedures.append((a, b))
        elif kind == "file":
            held.files.append((a, int(d), b, c))
        elif kind == "code":
            held.subject_codes.append(a if b is None else f"{a} {b}")
        elif kind == "cite":
            held.cites.append((a, False))
            if b is not None:
                cited[document_id, len(held.cites) - 1] = int(b)
        else:
            held.meetings.append(a)
    # The parents and the cited documents the reader may see: one query, by primary key.
    named = ({document.parent_id for document in full} | set(cited.values())) - {None}
    seen = (
        dict(Document.objects.visible_to(user).filter(pk__in=named).values_list("pk", "reference"))
        if named
        else {}
    )
    for document in full:
        links[document.pk].parent = seen.get(document.parent_id)
    for (document_id, index), cited_id in cited.items():
        reference, _shown = links[document_id].cites[index]
        links[document_id].cites[index] = (reference, cited_id in seen)
    return links
