"""Subject codes and the counters behind gap-free numbers."""

from django.db import models

from documents.models.choices import Series


class SubjectCode(models.Model):
    """A subject code such as JAI, ENFOPOL or CFSP/PESC."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                # Upper-case letters; a slash or a single space inside (CFSP/PESC, CRS CRP).
                condition=models.Q(code__regex=r"^[A-Z]+([/ -][A-Z]+)*$"),
                name="%(app_label)s_%(class)s_code_form",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SubjectCodeNumber(models.Model):
    """One yearly number of a subject code, allocated to one document number.

    ``JAI 64`` of 2024 belongs to ST 5397/24; its revisions and addenda carry the same number.
    """

    # Allocated numbers are registry records: a code with numbers is never deleted.
    subject_code = models.ForeignKey(SubjectCode, on_delete=models.PROTECT, related_name="numbers")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    series = models.CharField(max_length=8, choices=Series.choices)
    document_number = models.PositiveIntegerField()
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subject_code", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_code", "year", "number"],
                name="%(app_label)s_%(class)s_unique_number",
            ),
            models.UniqueConstraint(
                fields=["subject_code", "year", "series", "document_number"],
                name="%(app_label)s_%(class)s_one_per_document",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_code.code} {self.number}"


class Counter(models.Model):
    """The last number handed out in one scope and year.

    Scopes are ``document:<series>`` and ``subject-code:<code>``. A counter row is locked by
    the registration transaction that takes the next value, so numbers are neither duplicated
    nor skipped, and a rolled-back registration gives its number back.
    """

    scope = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "year"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.last}"
