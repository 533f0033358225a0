"""manage.py parse_cover and import_document: JSON keys, exit status 2, registering, re-runs,
updates that keep what clerks wrote, folders, reports, interruptions."""

import csv
import datetime
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from documents.models import Citation, Document, DocumentFile, SubjectCode
from documents.references import parse_document_reference
from documents.services import document_update
from tests.documents.intake.covers import NOTE, codes, doc, lines_layout
from tests.documents.intake.files import cover_pdf, image_only_pdf
from tests.factories import ProcedureFactory, UserFactory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ST_SAMPLE = FIXTURES / "st_5397_24_limite_note.txt"
WK_SAMPLE = FIXTURES / "wk_9107_2022_meeting_document.txt"
JSON_KEYS = [
    "reference", "date", "place", "original_language", "procedures", "distribution",
    "classification", "public_stamp", "subject_codes", "document_type", "from", "to", "on",
    "date_of_receipt", "previous_documents", "commission_documents", "subject",
    "cited_documents", "warnings",
]  # fmt: skip
CODES = (
    "JAI", "ENFOPOL", "CRIMORG", "IXIM", "DATAPROTECT", "CYBER", "COPEN", "FREMP", "TELECOM",
    "COMPET", "MI", "CONSOM", "DIGIT", "CODEC", "CFSP/PESC", "CRS CRP",
)  # fmt: skip


@pytest.fixture
def register(db):
    """The reference data the samples need: their subject codes and procedures."""
    SubjectCode.objects.bulk_create([SubjectCode(code=code) for code in CODES])
    ProcedureFactory(year=2023, number=452)
    ProcedureFactory(year=2022, number=155)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as raised:
        run(*args)
    return raised.value


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# --- parse_cover -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_parse_cover_json_has_exactly_the_issues_keys_with_the_sample_read():
    out, _err = run("parse_cover", str(ST_SAMPLE), "--json")

    cover = json.loads(out)
    assert list(cover) == JSON_KEYS
    assert cover["reference"] == "ST 5397 2024 INIT"
    assert (cover["date"], cover["place"], cover["original_language"]) == (
        "2024-01-17", "Brussels", "en",
    )  # fmt: skip
    assert cover["procedures"] == ["2023/0452(COD)"]
    assert (cover["distribution"], cover["classification"], cover["public_stamp"]) == (
        "LIMITE", None, False,
    )  # fmt: skip
    assert cover["subject_codes"][0] == "JAI 64"
    assert cover["subject_codes"][-1] == "CODEC 90"
    assert (cover["document_type"], cover["from"], cover["to"]) == (
        "NOTE", "Presidency", "Delegations",
    )  # fmt: skip
    assert cover["cited_documents"] == ["ST 9068 2022 ADD 1"]
    assert cover["warnings"] == []


def rev_contradiction() -> str:
    return lines_layout(NOTE).replace("5397/24", "5802/3/14 REV 2", 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.txt", "Dear colleague,\nthank you for your letter.\n", "not a Council document"),
        ("empty.pdf", b"", "is empty"),
        ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer", "corrupt PDF"),
        ("scan.pdf", None, "without a text layer (a scanned image?)"),
        ("revised.txt", rev_contradiction(), "revision counter 3 disagrees with REV 2"),
    ],
)
@pytest.mark.django_db
def test_parse_cover_exits_2_naming_what_is_wrong(tmp_path, name, content, message):
    path = write(tmp_path, name, image_only_pdf() if content is None else content)

    error = refused("parse_cover", str(path), "--json")

    assert error.returncode == 2
    assert message in str(error)
    assert name in str(error)


@pytest.mark.django_db
def test_parse_cover_refuses_a_file_over_the_size_limit(tmp_path, settings):
    settings.DOCUMENT_FILE_MAX_BYTES = 1000
    path = write(tmp_path, "big.txt", lines_layout(NOTE) + "x" * 2000)

    error = refused("parse_cover", str(path))

    assert error.returncode == 2
    assert "the limit is 1000" in str(error)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_exit_status_really_is_2(tmp_path):
    """The process's own exit status, as a script calling the command sees it."""
    path = write(tmp_path, "letter.txt", "Dear colleague,\nthank you.\n")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
    }

    finished = subprocess.run(
        [sys.executable, "manage.py", "parse_cover", str(path), "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip

    assert finished.returncode == 2, finished.stderr
    assert "letter.txt: not a Council document" in finished.stderr


# --- import_document: files ------------------------------------------------------------------


@pytest.mark.django_db
def test_import_registers_both_samples_under_their_own_references(register):
    out, _err = run("import_document", str(ST_SAMPLE), str(WK_SAMPLE))

    note = Document.objects.get(reference="ST 5397 2024 INIT")
    wk = Document.objects.get(reference="WK 9107 2022 INIT")
    assert (note.date, note.document_type, note.distribution) == (
        datetime.date(2024, 1, 17), "NOTE", "LIMITE",
    )  # fmt: skip
    assert note.subject.startswith("Case studies to illustrate the implementation")
    assert [str(link) for link in note.subject_code_links.all()] == [
        "JAI 64", "ENFOPOL 15", "CRIMORG 7", "IXIM 12", "DATAPROTECT 25", "CYBER 9", "COPEN 13",
        "FREMP 20", "TELECOM 15", "COMPET 54", "MI 50", "CONSOM 19", "DIGIT 14", "CODEC 90",
    ]  # fmt: skip
    assert [str(link) for link in wk.subject_code_links.all()][:2] == ["JAI", "ENFOPOL"]
    assert [p.reference for p in note.procedures.all()] == ["2023/0452(COD)"]
    assert [p.reference for p in wk.procedures.all()] == ["2022/0155(COD)"]
    assert (wk.originator, wk.recipients) == (
        "General Secretariat of the Council", "Law Enforcement Working Party (Police)",
    )  # fmt: skip
    placeholder = Citation.objects.get(document=note)
    assert (placeholder.reference, placeholder.cited) == ("ST 9068 2022 ADD 1", None)
    stored = DocumentFile.objects.get(document=note, language="en")
    assert stored.file.read() == ST_SAMPLE.read_bytes()
    lines = out.splitlines()
    assert lines[0].startswith("registered  ST 5397 2024 INIT")
    assert "en file stored" in lines[0]
    assert "cited, not registered yet: ST 9068 2022 ADD 1" in lines[0]
    assert lines[1].startswith("registered  WK 9107 2022 INIT")
    # Numbers read from covers are kept: the counters were not touched.
    assert not note.history.exclude(history_change_reason="intake").exists()


@pytest.mark.django_db
def test_a_second_run_skips_what_is_registered(register):
    run("import_document", str(ST_SAMPLE))

    out, _err = run("import_document", str(ST_SAMPLE))

    assert out.splitlines()[0].startswith("skipped     ST 5397 2024 INIT")
    assert Document.objects.count() == 1
    assert DocumentFile.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_file_exits_2_and_the_others_are_registered(register, tmp_path):
    bad = write(tmp_path, "revised.txt", rev_contradiction())

    error = refused("import_document", str(bad), str(ST_SAMPLE))

    assert error.returncode == 2
    assert "revised.txt: no reference read on the cover" in str(error)
    assert "revision counter 3 disagrees with REV 2" in str(error)
    assert list(Document.objects.values_list("reference", flat=True)) == ["ST 5397 2024 INIT"]


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_and_nothing_registered(register, settings):
    settings.DOCUMENT_FILE_MAX_BYTES = 1000

    error = refused("import_document", str(ST_SAMPLE))

    assert error.returncode == 2
    assert "the limit is 1000" in str(error)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_pdf_with_page_footers_is_registered_with_its_file(register, tmp_path):
    pdf = cover_pdf(
        header=[("Council of the", "Brussels, 17 January 2024"), ("European Union", "(OR. en)"),
                ("", "5397/24"), ("Interinstitutional File:", "LIMITE"), ("2023/0452(COD)", ""),
                ("", "JAI 64 ENFOPOL 15"), ("", "CODEC 90"), ("", "NOTE")],
        labels=[("From:", ["Presidency"]), ("To:", ["Delegations"]),
                ("Subject:", ["Case studies to illustrate the",
                              "implementation of the Regulation (EU) 2021/1232"])],
        body_pages=[["To illustrate the effectiveness, see 9068/22 ADD 1."], ["WK 13259/20."]],
        footer=["5397/24      JV/ml      1", "JAI.1      LIMITE      EN"],
    )  # fmt: skip
    path = write(tmp_path, "5397-24.pdf", pdf)

    run("import_document", str(path))

    document = Document.objects.get(reference="ST 5397 2024 INIT")
    assert document.subject == (
        "Case studies to illustrate the implementation of the Regulation (EU) 2021/1232"
    )
    assert [str(link) for link in document.subject_code_links.all()] == [
        "JAI 64", "ENFOPOL 15", "CODEC 90",
    ]  # fmt: skip
    assert [c.reference for c in document.citations.all()] == [
        "ST 9068 2022 ADD 1", "WK 13259 2020 INIT",
    ]  # fmt: skip
    assert DocumentFile.objects.get(document=document).media_type == "application/pdf"


# --- import_document: updates ----------------------------------------------------------------


def cover_file(tmp_path, name: str, **changes) -> Path:
    return write(tmp_path, name, lines_layout(replace(NOTE, **changes)))


@pytest.mark.django_db
def test_an_update_changes_what_the_intake_wrote_and_reports_it(register, tmp_path):
    run("import_document", str(cover_file(tmp_path, "a/note.txt", cited=())))
    corrected = cover_file(tmp_path, "b/note.txt", cited=(), subject="Case studies, corrected")

    out, _err = run("import_document", str(corrected))

    document = Document.objects.get(reference="ST 5397 2024 INIT")
    assert document.subject == "Case studies, corrected"
    line = out.splitlines()[0]
    assert line.startswith("updated     ST 5397 2024 INIT")
    assert "subject: Case studies to illustrate the implementation of the Regulat -> " in line


@pytest.mark.django_db
def test_an_update_keeps_what_a_clerk_edited_unless_overwrite(register, tmp_path):
    """GIVEN a document registered by the intake whose subject a clerk then corrected
    WHEN its cover is imported again (it still says the old subject)
    THEN the clerk's subject is kept and the report says who wrote it; --overwrite replaces it,
    and a field no clerk touched is brought up to date either way."""
    run("import_document", str(cover_file(tmp_path, "a/note.txt", cited=())))
    clerk = UserFactory(username="clerk.anna")
    document = Document.objects.get(reference="ST 5397 2024 INIT")
    document_update(document=document, updated_by=clerk, subject="Case studies (corrected)")
    again = cover_file(tmp_path, "b/note.txt", cited=(), recipients="Coreper")

    out, _err = run("import_document", str(again))

    document.refresh_from_db()
    assert document.subject == "Case studies (corrected)"
    assert document.recipients == "Coreper"
    assert "subject: kept Case studies (corrected) (written by clerk.anna on" in out
    assert "recipients: Delegations -> Coreper" in out

    out, _err = run("import_document", str(again), "--overwrite")

    document.refresh_from_db()
    assert document.subject == NOTE.subject
    assert "subject: Case studies (corrected) -> Case studies to illustrate" in out


@pytest.mark.django_db
def test_an_update_adds_links_and_reports_markings_it_does_not_change(register, tmp_path):
    run("import_document", str(cover_file(tmp_path, "a/note.txt", cited=())))
    again = cover_file(
        tmp_path, "b/note.txt", cited=(doc("1234/23"),), limite=False,
        codes=codes("JAI 64"),
    )  # fmt: skip

    out, _err = run("import_document", str(again))

    document = Document.objects.get(reference="ST 5397 2024 INIT")
    assert document.distribution == "LIMITE"
    assert [c.reference for c in document.citations.all()] == ["ST 1234 2023 INIT"]
    assert "cites ST 1234 2023 INIT (added)" in out
    assert "distribution: the cover says PUBLIC, the register LIMITE (not changed" in out
    assert "subject codes: the cover says JAI 64, the register JAI 64 ENFOPOL 15" in out


@pytest.mark.django_db
def test_a_placeholder_is_linked_when_its_document_is_imported(register, tmp_path):
    run("import_document", str(ST_SAMPLE))
    cited = replace(
        NOTE, reference=doc("9068/22"), date=datetime.date(2022, 5, 11), cited=(),
        codes=codes("JAI 657"), procedures=(),
    )  # fmt: skip
    addendum = replace(cited, reference=doc("9068/22 ADD 1"))
    # The addendum comes first in the walk: it waits for its document, then goes in.
    write(tmp_path, "folder/a.txt", lines_layout(addendum))
    write(tmp_path, "folder/b.txt", lines_layout(cited))

    run("import_document", str(tmp_path / "folder"), "--report", str(tmp_path / "r.csv"))

    citation = Citation.objects.get(document__reference="ST 5397 2024 INIT")
    assert citation.cited.reference == "ST 9068 2022 ADD 1"
    assert citation.cited.parent.reference == "ST 9068 2022 INIT"


# --- import_document: folders ----------------------------------------------------------------


def bulk_covers(folder: Path, count: int) -> None:
    for index in range(count):
        spec = replace(
            NOTE, reference=parse_document_reference(f"{1000 + index}/24"),
            codes=codes(f"JAI {100 + index}", f"CODEC {200 + index}"), cited=(),
            subject=f"Generated cover number {index}",
        )  # fmt: skip
        write(folder, f"{index % 3}/{index:04d}.txt", lines_layout(spec))


@pytest.mark.django_db
def test_a_folder_is_walked_with_progress_a_summary_and_a_csv_report(register, tmp_path, capsys):
    bulk_covers(tmp_path / "register", 12)
    write(tmp_path / "register", "z/letter.txt", "Dear colleague,\n")
    write(tmp_path / "register", ".hidden/ignored.txt", "x")
    report = tmp_path / "report.csv"

    error = refused(
        "import_document", str(tmp_path / "register"), "--report", str(report),
        "--batch-size", "5",
    )  # fmt: skip

    assert error.returncode == 2
    assert "1 file(s) refused" in str(error)
    assert Document.objects.count() == 12
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [row["status"] for row in rows].count("registered") == 12
    refused_row = next(row for row in rows if row["status"] == "refused")
    assert refused_row["file"] == "register/z/letter.txt"
    assert refused_row["detail"].startswith("not a Council document")
    assert list(rows[0]) == [
        "file", "status", "reference", "detail", "changes", "placeholders", "warnings",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_folder_run_shows_progress_and_a_rerun_skips_everything(register, tmp_path):
    bulk_covers(tmp_path / "register", 6)
    args = ["import_document", str(tmp_path / "register"), "--report", str(tmp_path / "r.csv")]
    out, err = run(*args)
    assert "6 file(s): 6 registered, 0 updated, 0 skipped" in out
    assert "covers/s" in err
    assert "left" in err

    out, _err = run(*args)

    assert "6 file(s): 0 registered, 0 updated, 6 skipped (already registered), 0 refused" in out
    assert Document.objects.count() == 6
    assert DocumentFile.objects.count() == 6


@pytest.mark.django_db
def test_two_files_of_one_document_in_a_batch_register_it_once(register, tmp_path):
    write(tmp_path, "d/a.txt", lines_layout(replace(NOTE, cited=())))
    write(tmp_path, "d/b.txt", lines_layout(replace(NOTE, cited=())))

    out, _err = run("import_document", str(tmp_path / "d"), "--report", str(tmp_path / "r.csv"))

    assert "2 file(s): 1 registered, 0 updated, 1 skipped" in out
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_cover_does_not_cost_the_rest_of_its_batch(register, tmp_path):
    """GIVEN two covers in one batch claiming the same subject-code number (JAI 64 of 2024)
    THEN the service refuses the second; the batch is registered again without it."""
    write(tmp_path, "d/a.txt", lines_layout(replace(NOTE, cited=())))
    write(tmp_path, "d/b.txt", lines_layout(replace(NOTE, reference=doc("5399/24"), cited=())))
    write(tmp_path, "d/c.txt", lines_layout(replace(
        NOTE, reference=doc("5400/24"), cited=(), codes=codes("JAI 65"))))  # fmt: skip

    error = refused("import_document", str(tmp_path / "d"), "--report", str(tmp_path / "r.csv"))

    assert "b.txt: subject_codes: JAI 64 of 2024 is already allocated to ST 5397/2024" in str(error)
    assert sorted(Document.objects.values_list("reference", flat=True)) == [
        "ST 5397 2024 INIT", "ST 5400 2024 INIT",
    ]  # fmt: skip
    assert DocumentFile.objects.count() == 2


@pytest.mark.django_db
def test_an_interrupted_run_keeps_its_batches_and_goes_on_when_run_again(
    register, tmp_path, monkeypatch
):
    from documents.management.commands import import_document

    bulk_covers(tmp_path / "register", 6)
    args = ["import_document", str(tmp_path / "register"), "--batch-size", "3",
            "--report", str(tmp_path / "r.csv")]  # fmt: skip
    real = import_document.documents_intake
    calls = []

    def interrupted_on_the_second_batch(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(import_document, "documents_intake", interrupted_on_the_second_batch)
    error = refused(*args)
    assert error.returncode == 130
    assert "interrupted after 3 of 6 file(s)" in str(error)
    assert Document.objects.count() == 3

    monkeypatch.setattr(import_document, "documents_intake", real)
    out, _err = run(*args)

    assert "6 file(s): 3 registered, 0 updated, 3 skipped" in out
    assert Document.objects.count() == 6


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_processes_read_the_same_covers(register, tmp_path):
    bulk_covers(tmp_path / "register", 40)

    out, _err = run(
        "import_document", str(tmp_path / "register"), "--workers", "2",
        "--report", str(tmp_path / "r.csv"),
    )  # fmt: skip

    assert "40 file(s): 40 registered" in out
    assert Document.objects.count() == 40
    assert DocumentFile.objects.count() == 40
