import csv
import datetime
import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from documents.intake import ReadCover, read_cover
from documents.intake.reading import worker_read, worker_setup
from documents.models import Language
from documents.services.intake import (
    IntakeFile,
    IntakeOutcome,
    Status,
    documents_intake,
    known_subject_codes,
)

EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130
# A version refused because its document is not registered yet is tried again at the end of
# the run: its document may come later in the walk.
_PARENT_MISSING = "is not registered: register the document before"
REPORT_COLUMNS = ("file", "status", "reference", "detail", "changes", "placeholders", "warnings")


class Command(BaseCommand):
    help = (
        "Register documents from their files (.txt, .pdf, .docx): each file's cover page is "
        "read, the document registered under the cover's reference (or the registered one "
        "updated) and the file stored as its language file. A folder is walked (re-running "
        "skips what is registered). Exit status 2 when a file is refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        parser.add_argument(
            "--language", default="en", choices=Language.values, help="language of the files"
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="processes reading covers (default 1)"
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="also replace cover fields a clerk wrote (never markings or subject codes)",
        )
        parser.add_argument(
            "--report",
            help="CSV report of every file (default for a folder: "
            "intake-report-<date>-<time>.csv in the current folder)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=200, help="documents registered per transaction"
        )
        parser.add_argument("--user", help="username recorded as having registered them")

    def handle(self, *args, paths, language, workers, overwrite, report, batch_size, user,
               **options):  # fmt: skip
        if workers < 1 or batch_size < 1:
            raise CommandError("--workers and --batch-size take a number from 1")
        self.verbosity = options["verbosity"]
        registered_by = None
        if user:
            try:
                registered_by = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"--user: no user {user!r}") from None
        files, walked = _files(paths)
        if walked and report is None:
            report = f"intake-report-{datetime.datetime.now():%Y%m%d-%H%M%S}.csv"  # noqa: DTZ005
        run = _Run(self, files, language=language, registered_by=registered_by,
                   overwrite=overwrite, batch_size=batch_size,
                   progress=walked or len(files) > 50)  # fmt: skip
        try:
            run.go(workers)
        except KeyboardInterrupt:
            run.interrupted = True
        run.finish(report)
        if run.interrupted:
            raise CommandError(
                f"interrupted after {run.done} of {len(files)} file(s); what was registered stays "
                "registered: run the same command again to go on",
                returncode=EXIT_INTERRUPTED,
            )
        refused = [o for o in run.outcomes if o.status == Status.REFUSED]
        if refused:
            shown = "\n".join(f"  {o.name}: {o.detail}" for o in refused[:20])
            more = f"\n  ... and {len(refused) - 20} more" if len(refused) > 20 else ""
            raise CommandError(
                f"{len(refused)} file(s) refused, nothing registered for them:\n{shown}{more}",
                returncode=EXIT_REFUSED,
            )


def _files(paths: list[str]) -> tuple[list[tuple[Path, str]], bool]:
    """(path, name shown) of every file to take in, folders walked in a stable order."""
    found: list[tuple[Path, str]] = []
    walked = False
    for given in paths:
        path = Path(given)
        if path.is_dir():
            walked = True
            for item in sorted(path.rglob("*")):
                relative = item.relative_to(path)
                if item.is_file() and not any(p.startswith(".") for p in relative.parts):
                    found.append((item, str(Path(path.name) / relative)))
        elif path.exists():
            found.append((path, given))
        else:
            raise CommandError(f"{given}: no such file or folder", returncode=EXIT_REFUSED)
    return found, walked


class _Progress:
    """A progress bar on stderr: done, rate, time left; redrawn at most 5 times a second."""

    def __init__(self, stream, total: int, enabled: bool) -> None:
        self.stream, self.total, self.enabled = stream, total, enabled
        self.started = time.monotonic()
        self.drawn = 0.0

    def update(self, done: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self.drawn < 0.2):
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = (self.total - done) / rate if rate else 0
        share = done / self.total if self.total else 1
        bar = "#" * int(30 * share)
        self.stream.write(
            f"\r[{bar:30}] {done}/{self.total} {share:4.0%}  {rate:7.1f} covers/s  "
            f"{datetime.timedelta(seconds=round(left))} left ",
            ending="",
        )
        if final:
            self.stream.write(f"\n{done} file(s) in {elapsed:.1f} s ({rate:.1f} covers/s)")
        self.stream.flush()


class _Run:
    def __init__(self, command, files, *, language, registered_by, overwrite, batch_size,
                 progress) -> None:  # fmt: skip
        self.command = command
        self.files = files
        self.names = {str(path): name for path, name in files}
        self.language = language
        self.registered_by = registered_by
        self.overwrite = overwrite
        self.batch_size = batch_size
        self.outcomes: list[IntakeOutcome] = []
        self.deferred: list[IntakeFile] = []
        self.done = 0
        self.interrupted = False
        self.progress = _Progress(command.stderr, len(files), progress)

    def go(self, workers: int) -> None:
        batch: list[IntakeFile] = []
        for read in self.read_all(workers):
            batch.append(self.intake_file(read))
            if len(batch) >= self.batch_size:
                self.take(batch)
                batch = []
        self.take(batch)
        self.take_deferred()

    def read_all(self, workers: int) -> Iterator[ReadCover]:
        options = {
            "max_bytes": settings.DOCUMENT_FILE_MAX_BYTES,
            "known_subject_codes": known_subject_codes(),
        }
        paths = [str(path) for path, _name in self.files]
        if workers == 1 or len(paths) < 2:
            for path in paths:
                yield read_cover(path, **options)
            return
        # The children only read files and parse (pure Python, no database): the parent's
        # connections are closed first so that no child inherits one. Forked where the
        # platform forks (a child starts in milliseconds), spawned elsewhere.
        connections.close_all()
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(
            workers, initializer=worker_setup,
            initargs=(options["max_bytes"], options["known_subject_codes"]),
        ) as pool:  # fmt: skip
            yield from pool.imap(worker_read, paths, chunksize=16)

    def intake_file(self, read: ReadCover) -> IntakeFile:
        path = read.path

        def opener() -> File:
            # Closed by the service once stored.
            return File(open(path, "rb"), name=Path(path).name)

        return IntakeFile(
            name=self.names[path], language=self.language, cover=read.cover, open=opener,
            problem=read.problem,
        )  # fmt: skip

    def take(self, batch: list[IntakeFile]) -> None:
        if not batch:
            return
        outcomes = documents_intake(
            batch, registered_by=self.registered_by, overwrite=self.overwrite
        )
        for item, outcome in zip(batch, outcomes, strict=True):
            if outcome.status == Status.REFUSED and _PARENT_MISSING in outcome.detail:
                self.deferred.append(item)
                continue
            self.record(outcome)
        self.done += len(batch)
        self.progress.update(self.done)

    def take_deferred(self) -> None:
        """Versions whose document came later in the walk: again, until none goes in."""
        while self.deferred:
            batch, self.deferred = self.deferred, []
            outcomes = documents_intake(
                batch, registered_by=self.registered_by, overwrite=self.overwrite
            )
            stuck = all(o.status == Status.REFUSED for o in outcomes)
            for item, outcome in zip(batch, outcomes, strict=True):
                if (
                    not stuck
                    and outcome.status == Status.REFUSED
                    and (_PARENT_MISSING in outcome.detail)
                ):
                    self.deferred.append(item)
                else:
                    self.record(outcome)

    def record(self, outcome: IntakeOutcome) -> None:
        self.outcomes.append(outcome)
        if self.command.verbosity >= 1:
            self.command.stdout.write(outcome.line())

    def finish(self, report: str | None) -> None:
        self.progress.update(self.done, final=True)
        counts = Counter(outcome.status for outcome in self.outcomes)
        out = self.command.stdout
        out.write(
            f"\n{len(self.outcomes)} file(s): {counts[Status.REGISTERED]} registered, "
            f"{counts[Status.UPDATED]} updated, {counts[Status.SKIPPED]} skipped (already "
            f"registered), {counts[Status.REFUSED]} refused"
        )
        reasons = Counter(o.detail for o in self.outcomes if o.status == Status.REFUSED)
        for reason, count in reasons.most_common():
            out.write(f"  refused {count}x: {reason}")
        placeholders = {p for o in self.outcomes for p in o.placeholders}
        if placeholders:
            out.write(
                f"{len(placeholders)} cited document(s) not registered yet, kept as placeholders"
            )
        if report:
            with open(report, "w", newline="", encoding="utf-8") as stream:
                writer = csv.writer(stream)
                writer.writerow(REPORT_COLUMNS)
                for o in self.outcomes:
                    writer.writerow([
                        o.name, o.status, o.reference, o.detail, "; ".join(o.changes),
                        " ".join(o.placeholders), "; ".join(o.warnings),
                    ])  # fmt: skip
            out.write(f"Report: {report}")
