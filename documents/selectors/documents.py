"""Documents as the API and exports read them: through the one rule, in a fixed number of
queries, and with every link probed by primary key (never ``IN (SELECT ... visible ...)``,
which reads every visible document to answer a page)."""

from django.db.models import Prefetch, QuerySet

from documents.models import AgendaItem, Citation, Document, DocumentSubjectCode, Procedure


def documents_for(user) -> QuerySet:
    """Documents ``user`` may see, annotated with ``full_access`` and ``public``, with what
    their representation reads, as lists (no queryset cloned per document): ``visible_parent``
    (None unless ``user`` may see the parent), ``citation_list`` each with ``visible_cited``
    (likewise), ``procedure_list``, ``code_links``, ``file_list`` and ``agenda_list`` (the
    agenda items listing the document, with their meeting).

    The parent's and the cited documents' visibility are read by primary key in a query of
    their own (a prefetch of ``visible_to(user)``): a correlated EXISTS in the select list is
    turned by the planner into a hash of every visible document, a scan of the register."""

    def visible():
        return Document.objects.visible_to(user).only("id", "reference")

    return Document.objects.with_access(user).prefetch_related(
        Prefetch("parent", queryset=visible(), to_attr="visible_parent"),
        Prefetch(
            "procedures",
            queryset=Procedure.objects.only("id", "reference", "slug"),
            to_attr="procedure_list",
        ),
        Prefetch("files", to_attr="file_list"),
        Prefetch(
            "subject_code_links",
            queryset=DocumentSubjectCode.objects.select_related("subject_code"),
            to_attr="code_links",
        ),
        # By primary key, in a query of its own: joined, the planner may hash every number.
        "code_links__allocation",
        Prefetch(
            "citations",
            queryset=Citation.objects.only("id", "document_id", "reference", "cited_id", "order"),
            to_attr="citation_list",
        ),
        Prefetch("citation_list__cited", queryset=visible(), to_attr="visible_cited"),
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("meeting").only(
                "id", "meeting", "meeting__key", "meeting__starts_at"
            ),
            to_attr="agenda_list",
        ),
    )
