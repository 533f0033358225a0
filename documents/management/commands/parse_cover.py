import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.intake import CoverPage, read_cover
from documents.services.intake import cover_refusal, known_subject_codes

# A cover without a readable reference is not one the register can take (exit status 2).
EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Read the cover page of a document file (.txt, .pdf or .docx) and print what it says, "
        "with what could not be read. Exit status 2 for a file that cannot be read or is not a "
        "Council document."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, path: str, json: bool, **options) -> None:
        read = read_cover(
            path,
            max_bytes=settings.DOCUMENT_FILE_MAX_BYTES,
            known_subject_codes=known_subject_codes(),
        )
        if read.problem:
            raise CommandError(f"{path}: {read.problem}", returncode=EXIT_REFUSED)
        cover = read.cover
        if json:
            self.stdout.write(_json(cover))
        else:
            self.stdout.write(_table(cover))
        if cover.reference is None:
            raise CommandError(f"{path}: {cover_refusal(cover)}", returncode=EXIT_REFUSED)


def _json(cover: CoverPage) -> str:
    return json.dumps(cover.as_json(), ensure_ascii=False, indent=2)


def _table(cover: CoverPage) -> str:
    lines = []
    for key, value in cover.as_json().items():
        if key == "warnings":
            continue
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        lines.append(f"{key + ':':21} {'-' if value is None else value}")
    lines.append(f"warnings ({len(cover.warnings)}):")
    lines += [f"  - {warning}" for warning in cover.warnings]
    return "\n".join(lines)
