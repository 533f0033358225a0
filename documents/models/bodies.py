"""Who meets and who receives: Council bodies and delegations."""

from django.db import models

from documents.models.choices import BodyKind, DelegationKind
from documents.models.keys import SLUG_PATTERN, unique_slug


class Body(models.Model):
    """A Council configuration, a Coreper part, a working party or a committee.

    ``parent`` is the body it prepares the work of: a working party reports to Coreper, Coreper
    prepares the Council.
    """

    name = models.CharField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=60, blank=True, help_text="e.g. LEWP (Police)")
    # The stable key mirrors and URLs use (``lewp-police``): set once, from the abbreviation or
    # the name, and never changed (a renamed body keeps its key).
    slug = models.SlugField(max_length=80, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=BodyKind.choices)
    # A body that others report to is not deleted from under them.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=BodyKind.values),
                name="%(app_label)s_%(class)s_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(slug__regex=SLUG_PATTERN),
                name="%(app_label)s_%(class)s_slug_form",
            ),
        ]

    def __str__(self) -> str:
        return self.abbreviation or self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Body, self.abbreviation or self.name)
        super().save(*args, **kwargs)


class Delegation(models.Model):
    """A member state's delegation, an institution (the Commission) or an observer."""

    code = models.CharField(max_length=10, unique=True, help_text="e.g. BE, COM")
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=DelegationKind.choices)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2,10}$"),
                name="%(app_label)s_%(class)s_code_upper",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DelegationKind.values),
                name="%(app_label)s_%(class)s_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name
