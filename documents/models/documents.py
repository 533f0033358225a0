"""Council documents, their links to procedures, bodies and each other, and their subject codes."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, Concat, Lower, Replace
from simple_history.models import HistoricalRecords

from documents.models.choices import (
    Classification,
    Distribution,
    DocumentType,
    Language,
    ReleaseReason,
    Series,
)
from documents.querysets import DocumentQuerySet
from documents.references import DocumentReference, parse_suffix_chain

SUFFIX_CHAIN_PATTERN = (
    r"^(ADD [1-9][0-9]{0,2})?( ?EXT [1-9][0-9]{0,2})?( ?DCL [1-9][0-9]{0,2})?"
    r"( ?REV [1-9][0-9]{0,2})?( ?COR [1-9][0-9]{0,2})?$"
)
# "ST 5397 2024 INIT", as the database itself can compute it from the four fields.
_CANONICAL_REFERENCE = Concat(
    "series",
    models.Value(" "),
    Cast("number", models.CharField()),
    models.Value(" "),
    Cast("year", models.CharField()),
    models.Value(" "),
    models.Case(
        models.When(suffix="", then=models.Value("INIT")),
        default="suffix",
        output_field=models.CharField(),
    ),
    output_field=models.CharField(),
)


class Document(models.Model):
    """One registered document version: ``ST 5397 2024 INIT``, ``ST 9068 2022 ADD 1``...

    Every version (INIT, REV n, ADD n, COR n, EXT n, DCL n) is a row of its own; ``parent`` is
    the document it revises, adds to, corrects or extracts.
    """

    series = models.CharField(max_length=8, choices=Series.choices, default=Series.ST)
    number = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    suffix = models.CharField(
        max_length=40, blank=True, help_text="canonical suffix chain, e.g. ADD 1 REV 1; empty: INIT"
    )
    # Derived from the four fields above on save.
    reference = models.CharField(max_length=60, unique=True, editable=False)
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    # A document that others revise or extend is never deleted from under them.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )

    date = models.DateField(help_text="date on the cover page (Brussels)")
    place = models.CharField(max_length=60, default="Brussels")
    original_language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.EN
    )
    document_type = models.CharField(max_length=60, choices=DocumentType.choices)
    # Empty on covers that name no sender or recipients (summary records, meeting notices).
    originator = models.CharField(max_length=200, blank=True, help_text="From: e.g. Presidency")
    recipients = models.CharField(max_length=300, blank=True, help_text="To: e.g. Delegations")
    subject = models.TextField()
    distribution = models.CharField(
        max_length=10, choices=Distribution.choices, default=Distribution.PUBLIC
    )
    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.UNCLASSIFIED
    )
    # Release of a LIMITE document: the marking stays in its history, the document is public.
    released_at = models.DateTimeField(null=True, blank=True)
    # Who released it stays on record: the user is not deleted while it is.
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="released_documents",
    )
    release_reason = models.CharField(max_length=30, choices=ReleaseReason.choices, blank=True)
    release_note = models.CharField(
        max_length=200, blank=True, help_text="e.g. the access request's reference"
    )
    comments_due = models.DateField(
        null=True, blank=True, help_text="deadline for delegations' written comments"
    )

    procedures = models.ManyToManyField(
        "documents.Procedure", through="DocumentProcedure", related_name="documents", blank=True
    )
    bodies = models.ManyToManyField(
        "documents.Body", through="DocumentBody", related_name="documents", blank=True
    )
    subject_codes = models.ManyToManyField(
        "documents.SubjectCode", through="DocumentSubjectCode", related_name="documents", blank=True
    )
    # Explicit distribution, which is what lets an observer delegation see a LIMITE document.
    distributed_to = models.ManyToManyField(
        "documents.Delegation",
        through="DocumentDistribution",
        related_name="distributed_documents",
        blank=True,
    )

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # the register keeps who registered what
        related_name="registered_documents",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        # Newest first, the id breaking ties: the list's keyset index serves it.
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number", "year", "suffix"],
                name="%(app_label)s_%(class)s_unique_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=99999),
                name="%(app_label)s_%(class)s_number_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    series__in=Series.values,
                    distribution__in=Distribution.values,
                    document_type__in=DocumentType.values,
                    original_language__in=Language.values,
                    release_reason__in=["", *ReleaseReason.values],
                ),
                name="%(app_label)s_%(class)s_vocabularies",
            ),
            models.CheckConstraint(
                # The canonical chain: parts (ADD, EXT, DCL), then REV, then COR, each once.
                condition=models.Q(suffix__regex=SUFFIX_CHAIN_PATTERN),
                name="%(app_label)s_%(class)s_suffix_canonical",
            ),
            models.CheckConstraint(
                condition=models.Q(reference=_CANONICAL_REFERENCE)
                & models.Q(slug=Replace(Lower("reference"), models.Value(" "), models.Value("-"))),
                name="%(app_label)s_%(class)s_reference_derived",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1952, year__lte=2099),
                name="%(app_label)s_%(class)s_year_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(suffix="", parent__isnull=False),
                name="%(app_label)s_%(class)s_init_has_no_parent",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(classification__gte=0, classification__lte=4),
                name="%(app_label)s_%(class)s_classification_level",
            ),
            models.CheckConstraint(
                # Released: a LIMITE document, with when, who and why. Not released: none of it.
                condition=models.Q(
                    released_at__isnull=True,
                    released_by__isnull=True,
                    release_reason="",
                    release_note="",
                )
                | (
                    models.Q(released_at__isnull=False, distribution=Distribution.LIMITE)
                    & ~models.Q(release_reason="")
                ),
                name="%(app_label)s_%(class)s_release_complete",
            ),
        ]
        permissions = [
            ("release_document", "Can release LIMITE documents and undo a release"),
            ("classify_document", "Can set the EU classification of documents"),
        ]
        indexes = [
            # The document list's keyset (newest first, the id breaking ties): a page at any
            # depth is an index range, never a sort of the table.
            models.Index(fields=["date", "id"], name="documents_document_date_idx"),
            models.Index(fields=["updated_at"], name="documents_document_updated_idx"),
            # Comments due soon (the desk's filter, the reminders' deadline rule): few documents
            # have a deadline, so only those are indexed.
            models.Index(
                fields=["comments_due"],
                condition=models.Q(comments_due__isnull=False),
                name="documents_document_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        value = self.reference_value
        self.suffix = value.suffix
        self.reference, self.slug = value.canonical, value.slug
        super().save(*args, **kwargs)

    @property
    def reference_value(self) -> DocumentReference:
        return DocumentReference(
            series=self.series,
            number=self.number,
            year=self.year,
            suffixes=parse_suffix_chain(self.suffix),
        )

    @property
    def cover_reference(self) -> str:
        return self.reference_value.cover


class DocumentProcedure(models.Model):
    # A link is part of the document's record: neither side is deleted while it exists.
    document = models.ForeignKey(Document, on_delete=models.PROTECT)
    procedure = models.ForeignKey("documents.Procedure", on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "procedure"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} in {self.procedure_id}"


class DocumentBody(models.Model):
    # A link is part of the document's record: neither side is deleted while it exists.
    document = models.ForeignKey(Document, on_delete=models.PROTECT)
    body = models.ForeignKey("documents.Body", on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "body"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} for {self.body_id}"


class DocumentDistribution(models.Model):
    # Who a document went to is a record: neither side is deleted while it exists.
    document = models.ForeignKey(Document, on_delete=models.PROTECT)
    delegation = models.ForeignKey("documents.Delegation", on_delete=models.PROTECT)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "delegation"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} to {self.delegation_id}"


class DocumentSubjectCode(models.Model):
    """A subject code on a document's cover; ``allocation`` holds its yearly number, if any."""

    # Subject codes on a cover are a record: neither side is deleted while it exists.
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="subject_code_links"
    )
    subject_code = models.ForeignKey("documents.SubjectCode", on_delete=models.PROTECT)
    allocation = models.ForeignKey(
        "documents.SubjectCodeNumber", null=True, blank=True, on_delete=models.PROTECT
    )
    # The document's year, kept beside the code so that "JAI documents of 2024" is one index
    # range (a document's year never changes; registration writes both).
    year = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        # By the column, not by the document: ordering by a relation joins it to sort.
        ordering = ["document_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "subject_code"], name="%(app_label)s_%(class)s_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["subject_code", "year", "document"],
                name="documents_dsc_code_year_idx",
            ),
        ]

    def __str__(self) -> str:
        if self.allocation_id is None:
            return self.subject_code.code
        return f"{self.subject_code.code} {self.allocation.number}"


class Citation(models.Model):
    """A document cited by another (``No. prev. doc.``, footnotes).

    Kept by canonical reference, so that a document can cite one not (yet) in the register;
    ``cited`` links it once it is registered.
    """

    # Citations are part of the citing document's record.
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="citations")
    reference = models.CharField(max_length=60)
    # A cited document is not deleted from under the documents that cite it.
    cited = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="cited_by"
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["document_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reference"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(cited=models.F("document")),
                name="%(app_label)s_%(class)s_not_self",
            ),
        ]
        indexes = [models.Index(fields=["reference"], name="documents_citation_ref_idx")]

    def __str__(self) -> str:
        return self.reference
