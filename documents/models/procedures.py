"""Interinstitutional files (procedures) and their timelines."""

from django.db import models
from django.db.models.functions import Cast, Concat, Lower, LPad, Replace
from simple_history.models import HistoricalRecords

from documents.models.choices import ProcedureStage, ProcedureType
from documents.references import ProcedureReference

# "2023/0452(COD)", as the database itself can compute it from year, number and type.
_CANONICAL_REFERENCE = Concat(
    Cast("year", models.CharField()),
    models.Value("/"),
    LPad(Cast("number", models.CharField()), 4, models.Value("0")),
    models.Value("("),
    "type",
    models.Value(")"),
    output_field=models.CharField(),
)


def _slug_of(field: str):
    """ "2023/0452(COD)" -> "2023-0452-COD" (lower-cased by the caller)."""
    dashed = Replace(
        Replace(field, models.Value("/"), models.Value("-")), models.Value("("), models.Value("-")
    )
    return Replace(dashed, models.Value(")"), models.Value(""))


class Procedure(models.Model):
    """A legislative or non-legislative procedure, e.g. 2023/0452(COD)."""

    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=3, choices=ProcedureType.choices)
    # Derived from year/number/type on save; indexed for look-ups by any spelling.
    reference = models.CharField(max_length=20, unique=True, editable=False)
    slug = models.SlugField(max_length=20, unique=True, editable=False)
    title = models.TextField()
    commission_proposal = models.CharField(
        max_length=40, blank=True, help_text="e.g. COM(2022) 209 final"
    )
    commission_proposal_date = models.DateField(null=True, blank=True)
    # A body leading files is not deleted from under them.
    lead_body = models.ForeignKey(
        "documents.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="procedures"
    )
    stage = models.CharField(
        max_length=30, choices=ProcedureStage.choices, default=ProcedureStage.PROPOSAL
    )
    adopted_act = models.CharField(
        max_length=100, blank=True, help_text="e.g. Regulation (EU) 2021/1232"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number", "type"], name="%(app_label)s_%(class)s_unique_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=9999),
                name="%(app_label)s_%(class)s_number_range",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=ProcedureType.values, stage__in=ProcedureStage.values),
                name="%(app_label)s_%(class)s_vocabularies",
            ),
            models.CheckConstraint(
                condition=models.Q(reference=_CANONICAL_REFERENCE)
                & models.Q(slug=Lower(_slug_of("reference"))),
                name="%(app_label)s_%(class)s_reference_derived",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1952, year__lte=2099),
                name="%(app_label)s_%(class)s_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(adopted_act="")
                | models.Q(stage__in=[ProcedureStage.ADOPTED, ProcedureStage.PUBLISHED]),
                name="%(app_label)s_%(class)s_act_only_when_adopted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        value = self.reference_value
        self.reference, self.slug = value.canonical, value.slug
        super().save(*args, **kwargs)

    @property
    def reference_value(self) -> ProcedureReference:
        return ProcedureReference(year=self.year, number=self.number, type=self.type)


class ProcedureEvent(models.Model):
    """A key event in a procedure's timeline; ``stage`` is the stage it moves the file to."""

    # A timeline is a record: the procedure is not deleted while it has one.
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="events")
    date = models.DateField()
    order = models.PositiveSmallIntegerField(default=0, help_text="orders events of one day")
    title = models.CharField(max_length=300)
    stage = models.CharField(max_length=30, choices=ProcedureStage.choices, blank=True)
    # An event that cites a document keeps it registered.
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure_id", "date", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "date", "order"], name="%(app_label)s_%(class)s_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.title}"
