"""Language files of a document (the texts themselves)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from documents.models.choices import Language


def document_file_path(instance: "DocumentFile", filename: str) -> str:
    """``documents/2024/st-5397-2024-init/st-5397-2024-init-en.pdf``: stable, no user input."""
    document = instance.document
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return (
        f"documents/{document.year}/{document.slug}/{document.slug}-{instance.language}.{extension}"
    )


class DocumentFile(models.Model):
    """One language version of a document's text. Classified documents never have files."""

    # Files are the record itself: the document is not deleted while it has any.
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="files"
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    file = models.FileField(upload_to=document_file_path, max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Who uploaded a file stays on record.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["document_id", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "language"], name="%(app_label)s_%(class)s_one_per_language"
            ),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="%(app_label)s_%(class)s_sha256_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values),
                name="%(app_label)s_%(class)s_language_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} ({self.language})"
