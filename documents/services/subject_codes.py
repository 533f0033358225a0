"""Subject-code labels as covers write them (``JAI 64``, ``CFSP/PESC``); their numbers are
allocated by ``documents.services.registration``."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^\s*(?P<code>[A-Za-z]+(?:[/ -][A-Za-z]+)*)(?:\s+(?P<number>\d{1,6}))?\s*$")


@dataclass(frozen=True)
class SubjectCodeLabel:
    """``JAI 64`` (a code with its number) or ``JAI`` (a number still to allocate, or none)."""

    code: str
    number: int | None = None

    def __str__(self) -> str:
        return self.code if self.number is None else f"{self.code} {self.number}"


def parse_subject_code_label(text: str) -> SubjectCodeLabel:
    """``"jai 64"`` -> JAI 64; ``"CFSP/PESC"``, ``"CRS CRP 3"`` keep their inner slash or space."""
    match = _LABEL.match(text.replace("\u00a0", " "))
    if not match:
        raise ValidationError(f"{text!r} is not a subject code such as 'JAI' or 'JAI 64'")
    code = re.sub(r"\s+", " ", match["code"]).upper()
    number = int(match["number"]) if match["number"] else None
    if number == 0:
        raise ValidationError(f"{text!r}: subject code numbers start at 1")
    return SubjectCodeLabel(code, number)
