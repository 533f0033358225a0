"""A file's cover, read in one call: what the commands run in worker processes (pure Python,
picklable in and out)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from documents.intake.cover import CoverPage, CoverWarning, parse_cover
from documents.intake.text import UnreadableFile, text_from_path


@dataclass(frozen=True, slots=True)
class ReadCover:
    """The cover read from ``path``, or why the file could not be read (``problem``)."""

    path: str
    cover: CoverPage | None = None
    problem: str | None = None


def read_cover(
    path: str, *, max_bytes: int | None = None, known_subject_codes: Iterable[str] | None = None
) -> ReadCover:
    """Read the file at ``path`` and parse its cover; never raises for a bad file."""
    try:
        extracted = text_from_path(path, max_bytes=max_bytes)
    except UnreadableFile as error:
        return ReadCover(path, problem=error.problem)
    cover = parse_cover(extracted.text, known_subject_codes=known_subject_codes)
    if extracted.notes:
        cover = cover.with_warnings(CoverWarning(None, note) for note in extracted.notes)
    return ReadCover(path, cover)


_worker_options: dict = {}


def worker_setup(max_bytes: int | None, known_subject_codes: tuple[str, ...]) -> None:
    """Initialiser of a worker process: the options every ``worker_read`` uses."""
    _worker_options.update(max_bytes=max_bytes, known_subject_codes=known_subject_codes)


def worker_read(path: str) -> ReadCover:
    return read_cover(path, **_worker_options)
