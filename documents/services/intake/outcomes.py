"""What the intake takes in and what becomes of each file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files import File

from documents.intake import CoverPage

INTAKE = "intake"
"""The history change reason of every write the intake makes: what tells its values from a
clerk's."""

# The cover fields the intake keeps up to date on a registered document (documents.services.
# documents.EDITABLE_FIELDS but the comments deadline, which no cover states).
COVER_FIELDS = (
    "date", "place", "original_language", "document_type", "originator", "recipients", "subject",
)  # fmt: skip


class Status:
    REGISTERED = "registered"
    UPDATED = "updated"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass
class IntakeFile:
    """One file to take in: its name (as reports show it), the language it is in, what its
    cover says, and how to open it for storing; or, read or not, why it cannot be taken in."""

    name: str
    language: str
    cover: CoverPage | None = None
    open: Callable[[], File] | None = None
    problem: str | None = None


@dataclass
class IntakeOutcome:
    name: str
    status: str
    reference: str = ""
    detail: str = ""
    """Why it was refused or skipped; what was stored."""
    changes: list[str] = field(default_factory=list)
    """Every difference between the cover and the register, and what was done with it."""
    placeholders: list[str] = field(default_factory=list)
    """Cited references not registered yet."""
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for the console."""
        parts = [f"{self.status:10}", self.reference or "-", self.name]
        if self.detail:
            parts.append(self.detail)
        if self.changes:
            parts.append("; ".join(self.changes))
        if self.placeholders:
            parts.append(f"cited, not registered yet: {', '.join(self.placeholders)}")
        if self.warnings and self.status != Status.REFUSED:
            shown = "; ".join(self.warnings[:3]) + ("; ..." if len(self.warnings) > 3 else "")
            parts.append(f"{len(self.warnings)} warning(s): {shown}")
        return "  ".join(parts)


@dataclass
class _Ready:
    index: int
    file: IntakeFile
    cover: CoverPage
    registration: dict


def _refused(entry: _Ready, reason: str) -> IntakeOutcome:
    return IntakeOutcome(
        entry.file.name, Status.REFUSED, entry.registration["reference"], reason,
        warnings=[str(w) for w in entry.cover.warnings],
    )  # fmt: skip


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)
