from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from api.dumps.export import AUDIENCES, ExportError, dump_build


class Command(BaseCommand):
    help = (
        "Write a complete, consistent snapshot of the register as an audience sees it: one "
        "gzip'd JSON Lines file per list and a manifest.json with counts, SHA-256 and the "
        "changes feed cursor to follow on from. Published as the audience's latest dump under "
        "DUMPS_ROOT (the public one is served at /api/v1/dumps/), or written to --output."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--audience",
            required=True,
            choices=AUDIENCES,
            help="public: what anybody sees; delegation: what a member-state delegate without "
            "clearance sees (LIMITE and WK documents: hand it over only to such delegations)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            metavar="DIR",
            help="write the dump to this new (or empty) folder instead of publishing it",
        )

    def handle(self, *args, audience: str, output: Path | None, **options) -> None:
        try:
            dump = dump_build(audience=audience, output=output)
        except ExportError as error:
            raise CommandError(str(error)) from None
        for entry in dump.manifest["files"]:
            self.stderr.write(
                f"{entry['name']}: {entry['records']} records, {entry['bytes']} bytes"
            )
        self.stdout.write(str(dump.folder))
