"""Documents as the API and exports read them: through the one rule, in a fixed number of
queries, and with every link probed by primary key (never ``IN (SELECT ... visible ...)``,
which reads every visible document to answer a page)."""

from django.db.models import Prefetch, QuerySet

from documents.models import AgendaItem, Citation, Document, DocumentSubjectCode, Procedure


def documents_for(user) -> QuerySet:
    """Documents ``user`` may see, annotated with ``full_access`` and ``public``, with what
    their representation reads: ``visible_parent`` (None unless ``user`` may see the parent),
    citations with ``visible_cited`` (likewise), procedures, subject codes, files and the
    meetings whose agenda lists them.

    The parent's and the cited documents' visibility are read by primary key in a query of
    their own (a prefetch of ``visible_to(user)``): a correlated EXISTS in the select list is
    turned by the planner into a hash of every visible document, a scan of the register."""

    def visible():
        return Document.objects.visible_to(user).only("id", "reference")

    return Document.objects.with_access(user).prefetch_related(
        Prefetch("parent", queryset=visible(), to_attr="visible_parent"),
        Prefetch("procedures", queryset=Procedure.objects.only("id", "reference", "slug")),
        "files",
        Prefetch(
            "subject_code_links",
            queryset=DocumentSubjectCode.objects.select_related("subject_code"),
        ),
        # By primary key, in a query of its own: joined, the planner may hash every number.
        "subject_code_links__allocation",
        Prefetch(
            "citations",
            queryset=Citation.objects.only("id", "document_id", "reference", "cited_id", "order"),
        ),
        Prefetch("citations__cited", queryset=visible(), to_attr="visible_cited"),
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("meeting").only(
                "id", "meeting__key", "meeting__starts_at"
            ),
        ),
    )
