"""The labelled part of a cover page (``From:`` ... ``Subject:``), read line by line."""

from __future__ import annotations

import re

from documents.intake._patterns import (
    _ABBREVIATIONS,
    _LABEL,
    _LABEL_NAMES,
    _OPENING,
    _SENTENCE_END,
    _own_reference_at,
)
from documents.intake.vocabulary import (
    MAX_SUBJECT_CHARACTERS,
    MAX_SUBJECT_LINES,
    MAX_UNMARKED_LINE,
)
from documents.references import DocumentReference

__all__ = ["_LABEL_NAMES", "_LabelWalk"]


class _LabelWalk:
    """Walks the labelled part of a cover, line by line, pairing labels with values."""

    def __init__(self, zone: str, reference: DocumentReference | None) -> None:
        self.lines = zone.split("\n")
        self.reference = reference
        self.fields: dict[str, list[str]] = {}
        self.pending: list[str] = []
        self.current: str | None = None
        self.separated: list[str] = []
        self.unpairable: list[str] = []
        self.repeated: list[str] = []
        self.subject_problem: str | None = None
        self.end = len(zone)  # where the subject ends, within the zone

    def run(self) -> None:
        position = 0
        for line in self.lines:
            start, position = position, position + len(line) + 1
            if self.in_subject():
                if self.subject_ends_before(line):
                    self.end = start
                    break
                cut = self.cut_in_line(line)
                self.fields["subject"].append(line[:cut])
                if cut < len(line):
                    self.end = start + cut
                    break
                if len(self.fields["subject"]) > MAX_SUBJECT_LINES:
                    self.subject_problem = (
                        f"runs over more than {MAX_SUBJECT_LINES} lines without a break: "
                        "cannot tell where it ends"
                    )
                    self.end = start
                    break
                continue
            if not line or line == "\f":
                self.current = None
                continue
            labels = list(_LABEL.finditer(line))
            subject_at = None
            if labels and labels[0].start() == 0:
                subject_at = self.read_labelled_line(line, labels)
            elif self.pending:
                name = self.pending.pop(0)
                if name == "other":  # the value of a label the cover page does not ask for
                    self.current = "other"
                    continue
                if name not in self.separated:
                    self.separated.append(name)
                self.value_start(name, line)
                subject_at = 0 if name == "subject" else None
            elif self.current is not None:
                if self.current != "other":
                    self.fields[self.current].append(line)
                continue
            else:
                self.end = start  # neither a label nor a value: the body
                break
            if subject_at is not None:
                text = self.fields["subject"][0]
                cut = self.cut_in_line(text, first=True)
                if cut < len(text):
                    self.fields["subject"][0] = text[:cut].rstrip()
                    self.end = start + subject_at + cut
                    break
                if len(text) > MAX_UNMARKED_LINE:
                    self.subject_problem = (
                        "runs on for more than a line's worth of text with nothing marking "
                        "where it ends (the text has lost its line breaks?)"
                    )
                    self.end = start
                    break
        self.check_subject()

    def in_subject(self) -> bool:
        return self.current == "subject" and not self.pending and bool(self.fields.get("subject"))

    def read_labelled_line(self, line: str, labels: list[re.Match[str]]) -> int | None:
        """Read a line of labels and values; returns where the subject's value starts in it,
        if it does."""
        together: list[str] = []
        subject_at = None
        for index, match in enumerate(labels):
            name = next(key for key, value in match.groupdict().items() if value)
            end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
            raw = line[match.end() : end]
            value = raw.strip()
            if name == "other":
                if not value:
                    self.pending.append("other")
                self.current = "other"
                continue
            if name in self.fields or name in self.pending or name in self.unpairable:
                if name not in self.repeated:
                    self.repeated.append(name)
                self.current = "other"
                continue
            if not value:
                self.pending.append(name)
                together.append(name)
                self.current = None
            elif together:
                # "From: To: Subject: Presidency Delegations ...": whose value is whose?
                self.unpairable += [*together, name]
                self.pending = [p for p in self.pending if p not in together]
                together = []
                self.current = "other"
            else:
                self.value_start(name, value)
                if name == "subject":
                    subject_at = match.end() + len(raw) - len(raw.lstrip())
        return subject_at

    def value_start(self, name: str, value: str) -> None:
        self.fields[name] = [value]
        self.current = name

    def subject_ends_before(self, line: str) -> bool:
        if not line or line == "\f":
            return True
        if _LABEL.match(line) or _OPENING.match(line):
            return True
        return self.reference is not None and _own_reference_at(line, self.reference) == 0

    def cut_in_line(self, line: str, *, first: bool = False) -> int:
        """Where in ``line`` the subject stops: an opening of the body, or a page footer."""
        cuts = [len(line)]
        if match := _OPENING.search(line, 1 if first else 0):
            cuts.append(match.start())
        if self.reference is not None and (at := _own_reference_at(line, self.reference)):
            cuts.append(at)
        return min(cuts)

    def check_subject(self) -> None:
        lines = self.fields.get("subject")
        if not lines or self.subject_problem:
            return
        text = " ".join(" ".join(lines).split())
        if len(text) > MAX_SUBJECT_CHARACTERS:
            self.subject_problem = (
                f"longer than {MAX_SUBJECT_CHARACTERS} characters: cannot tell where it ends"
            )
        elif any(
            match["word"].lower().strip(")]\"'") not in _ABBREVIATIONS
            # a title may end with a full stop; a subject of several lines that does is prose
            and (match["end"].strip() or len(lines) > 1)
            for match in _SENTENCE_END.finditer(text)
        ):
            self.subject_problem = (
                "what follows Subject: reads as prose (a sentence ends in it): cannot tell "
                "where the subject ends"
            )
