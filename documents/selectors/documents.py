"""Documents as the API and exports read them: through the one rule, in a fixed number of
queries, and with every link probed by primary key (never ``IN (SELECT ... visible ...)``,
which reads every visible document to answer a page)."""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from documents.models import AgendaItem, Citation, Document, DocumentSubjectCode, Procedure


def documents_for(user) -> QuerySet:
    """Documents ``user`` may see, annotated with ``full_access`` and ``public``, with what
    their representation reads: ``parent_reference`` (None unless ``user`` may see the
    parent), citations annotated ``cited_visible``, procedures, subject codes, files and the
    meetings whose agenda lists them."""
    visible = Document.objects.visible_to(user)
    return (
        Document.objects.with_access(user)
        .annotate(
            parent_visible=Exists(visible.filter(pk=OuterRef("parent_id"))),
            parent_reference=F("parent__reference"),
        )
        .prefetch_related(
            Prefetch("procedures", queryset=Procedure.objects.only("id", "reference", "slug")),
            "files",
            Prefetch(
                "subject_code_links",
                queryset=DocumentSubjectCode.objects.select_related("subject_code", "allocation"),
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.annotate(
                    cited_visible=Exists(visible.filter(pk=OuterRef("cited_id")))
                ).only("id", "document_id", "reference", "cited_id", "order"),
            ),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("meeting").only(
                    "id", "meeting__key", "meeting__starts_at"
                ),
            ),
        )
    )
