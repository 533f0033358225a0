"""The audit trail: reads counted per (user, document, Brussels day, door), downloads one row
each, folded from the old shape by the migration, filtered and exported by supervisors."""

import csv
import datetime
import io
import random
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from documents.models import Delegation, DocumentRead, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from documents.services.audit import download_record, reads_record
from tests.factories import DelegationFactory, DocumentFactory, UserFactory

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = datetime.UTC


def delegate(code: str = "BE", username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    UserProfile.objects.create(user=user, delegation=DelegationFactory(code=code))
    return type(user).objects.get(pk=user.pk)


def trail() -> list[tuple]:
    return sorted(
        DocumentRead.objects.values_list(
            "user__username", "document__reference", "kind", "via", "day", "count"
        )
    )


@pytest.fixture
def demo(db):
    call_command("load_demo", "--with-users", verbosity=0)
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="delegate.be"))
    return client


# --- Counting ---------------------------------------------------------------------------------


def test_repeated_reads_of_a_day_are_one_row_with_their_count(demo):
    """GIVEN a delegate reading the LIMITE note three times by its detail and twice in a list
    THEN the trail holds one row per door with the count, not a row per answer."""
    with time_machine.travel(datetime.datetime(2024, 6, 3, 9, 0, tzinfo=UTC), tick=False):
        for _ in range(3):
            demo.get("/api/v1/documents/st-5397-2024-init/", REMOTE_ADDR="192.0.2.1")
        for _ in range(2):
            demo.get("/api/v1/documents/?series=ST")

    assert trail() == [
        ("delegate.be", "ST 5397 2024 INIT", "read", "api-detail", datetime.date(2024, 6, 3), 3),
        ("delegate.be", "ST 5397 2024 INIT", "read", "api-list", datetime.date(2024, 6, 3), 2),
    ]


def test_the_day_is_the_brussels_day_not_the_utc_one(db):
    """23:30 and 00:30 in Brussels are one UTC day (21:30 and 22:30 UTC in summer), two rows."""
    reader, note = delegate(), DocumentFactory(distribution="LIMITE")
    for hour, minute in ((21, 30), (22, 30), (22, 45)):
        moment = datetime.datetime(2024, 6, 1, hour, minute, tzinfo=UTC)
        with time_machine.travel(moment, tick=False):
            reads_record(user=reader, documents=[note], via="api-detail", address="192.0.2.1")

    rows = DocumentRead.objects.order_by("day")
    assert [(r.day, r.count) for r in rows] == [
        (datetime.date(2024, 6, 1), 1),
        (datetime.date(2024, 6, 2), 2),
    ]
    second = rows[1]
    assert second.at == datetime.datetime(2024, 6, 1, 22, 30, tzinfo=UTC)
    assert second.last_at == datetime.datetime(2024, 6, 1, 22, 45, tzinfo=UTC)


def test_the_row_keeps_the_first_time_and_the_latest_time_and_address(db):
    reader, note = delegate(), DocumentFactory(distribution="LIMITE")
    for minute, address in ((5, "192.0.2.1"), (10, "192.0.2.2")):
        with time_machine.travel(datetime.datetime(2024, 6, 3, 9, minute, tzinfo=UTC), tick=False):
            reads_record(user=reader, documents=[note], via="feed", address=address)

    row = DocumentRead.objects.get()
    assert (row.count, row.address) == (2, "192.0.2.2")
    assert (row.at.minute, row.last_at.minute) == (5, 10)


def test_a_document_shown_twice_in_one_answer_counts_once(db):
    reader, note = delegate(), DocumentFactory(distribution="LIMITE")

    reads_record(user=reader, documents=[note, note], via="feed", address=None)

    assert DocumentRead.objects.get().count == 1


def test_each_user_and_each_door_count_apart(db):
    first, second = delegate("BE"), delegate("FR")
    note = DocumentFactory(distribution="LIMITE")

    for user, via in ((first, "api-list"), (first, "feed"), (second, "api-list"), (first, "feed")):
        reads_record(user=user, documents=[note], via=via, address=None)

    assert sorted(DocumentRead.objects.values_list("user_id", "via", "count")) == sorted(
        [(first.pk, "api-list", 1), (first.pk, "feed", 2), (second.pk, "api-list", 1)]
    )


def test_downloads_stay_one_row_each(db):
    reader, note = delegate(), DocumentFactory(distribution="LIMITE")

    for _ in range(2):
        download_record(user=reader, document=note, language="en", address="192.0.2.1")

    assert list(DocumentRead.objects.values_list("kind", "count")) == [("download", 1)] * 2


def test_public_documents_and_public_readers_are_not_recorded(db):
    reader = delegate()
    public = DocumentFactory()
    listing_only = DocumentFactory(distribution="LIMITE")
    listing_only.full_access = False

    reads_record(user=reader, documents=[public, listing_only], via="api-list", address=None)
    reads_record(user=UserFactory(), documents=[DocumentFactory(distribution="LIMITE")],
                 via="api-list", address=None)  # fmt: skip

    assert not DocumentRead.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_reads_are_all_counted_on_real_connections():
    """GIVEN 6 connections recording reads of the same three documents at once, in random
    orders and through two doors
    THEN every read is counted, in one row per document and door, and no request fails."""
    reader = delegate()
    notes = [DocumentFactory(distribution="LIMITE") for _ in range(3)]
    threads_count, per_thread = 6, 15
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def mirror(seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait()
            for i in range(per_thread):
                shown = rng.sample(notes, 3)
                reads_record(user=reader, documents=shown, via=("feed", "api-list")[i % 2],
                             address=f"192.0.2.{seed}")  # fmt: skip
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mirror, args=(seed,)) for seed in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    rows = DocumentRead.objects.values_list("document_id", "via", "count")
    counts = {(document_id, via): count for document_id, via, count in rows}
    feed_reads = threads_count * ((per_thread + 1) // 2)
    list_reads = threads_count * (per_thread // 2)
    assert counts == {
        **{(note.pk, "feed"): feed_reads for note in notes},
        **{(note.pk, "api-list"): list_reads for note in notes},
    }


def test_the_database_keeps_one_read_row_per_user_document_day_and_door(db):
    reader, note = delegate(), DocumentFactory(distribution="LIMITE")
    row = {
        "user": reader, "document": note, "kind": "read", "via": "feed",
        "day": datetime.date(2024, 6, 3),
    }  # fmt: skip
    DocumentRead.objects.create(**row)

    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentRead.objects.create(**row)
    DocumentRead.objects.create(**{**row, "via": "api-list"})
    DocumentRead.objects.create(**{**row, "kind": "download"})
    DocumentRead.objects.create(**{**row, "kind": "download"})


# --- The migration folds the old shape --------------------------------------------------------

BEFORE = ("documents", "0008_subject_code_year_and_orderings")
AFTER = ("documents", "0009_audit_daily")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_migration_folds_existing_reads_into_daily_rows():
    """GIVEN the old trail (a row per read and per download)
    WHEN 0009 is applied
    THEN reads of one user, document, Brussels day and door are one row with their count, the
    first and last times and the latest address; downloads are untouched."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        reader = old.get_model("auth", "User").objects.create(username="be.mirror")
        delegation = old.get_model("documents", "Delegation").objects.create(
            code="BE", name="Belgium", kind="member-state"
        )
        note = old.get_model("documents", "Document").objects.create(
            series="ST", number=5397, year=2024, suffix="", reference="ST 5397 2024 INIT",
            slug="st-5397-2024-init", date=datetime.date(2024, 1, 17), document_type="NOTE",
            originator="Presidency", recipients="Delegations", subject="s",
            distribution="LIMITE",
        )  # fmt: skip
        Read = old.get_model("documents", "DocumentRead")

        def read(hour: int, minute: int, **fields) -> None:
            row = Read.objects.create(
                user=reader, delegation=delegation, document=note,
                **{"kind": "read", "via": "api-list", "address": "192.0.2.1", **fields},
            )  # fmt: skip
            at = datetime.datetime(2024, 6, 1, hour, minute, tzinfo=UTC)
            Read.objects.filter(pk=row.pk).update(at=at)

        read(8, 0)
        read(9, 0, address="192.0.2.9")
        read(21, 30, address="192.0.2.5")  # 23:30 in Brussels: still 1 June
        read(22, 30)  # 00:30 in Brussels: 2 June
        read(9, 30, via="feed")
        read(10, 0, kind="download", via="api-file", language="en")
        read(10, 5, kind="download", via="api-file", language="en")

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )

    rows = sorted(
        (r.kind, r.via, r.day.isoformat(), r.count, r.at.strftime("%H:%M"),
         r.last_at.strftime("%H:%M"), r.address)
        for r in DocumentRead.objects.all()
    )  # fmt: skip
    assert rows == [
        ("download", "api-file", "2024-06-01", 1, "10:00", "10:00", "192.0.2.1"),
        ("download", "api-file", "2024-06-01", 1, "10:05", "10:05", "192.0.2.1"),
        ("read", "api-list", "2024-06-01", 3, "08:00", "21:30", "192.0.2.5"),
        ("read", "api-list", "2024-06-02", 1, "22:30", "22:30", "192.0.2.1"),
        ("read", "feed", "2024-06-01", 1, "09:30", "09:30", "192.0.2.1"),
    ]


# --- At the desk ------------------------------------------------------------------------------


@pytest.fixture
def desk(db, client):
    """A trail of two delegates over three days, and a supervisor's and a clerk's client."""
    roles_set_up()
    be, fr = delegate("BE", "reader.be"), delegate("FR", "reader.fr")
    note = DocumentFactory(distribution="LIMITE", reference="5397/24")
    rev = DocumentFactory(distribution="LIMITE", reference="5397/24 REV 1")
    other = DocumentFactory(distribution="LIMITE", reference="6000/24")
    for day, user, documents, via in (
        (1, be, [note], "api-detail"),
        (1, fr, [note, other], "api-list"),
        (2, be, [rev], "feed"),
        (3, be, [note, other], "feed"),
        (3, be, [note], "feed"),
    ):
        moment = datetime.datetime(2024, 6, day, 9, 0, tzinfo=UTC)
        with time_machine.travel(moment, tick=False):
            reads_record(user=user, documents=documents, via=via, address="192.0.2.1")
    with time_machine.travel(datetime.datetime(2024, 6, 2, 9, 0, tzinfo=UTC), tick=False):
        download_record(user=fr, document=other, language="en", address="192.0.2.2")

    def staff(role: Role):
        user = UserFactory()
        user_role_set(user=user, role=role)
        return user

    return {"supervisor": staff(Role.SUPERVISOR), "clerk": staff(Role.CLERK), "client": client}


def page(desk, query: str = "", as_role: str = "supervisor"):
    desk["client"].force_login(desk[as_role], backend="django.contrib.auth.backends.ModelBackend")
    return desk["client"].get(f"/admin/documents/documentread/{query}")


def listed(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:500]
    return sorted(
        (r.user.username, r.document.reference, r.via, r.day.day, r.count)
        for r in response.context["cl"].result_list
    )


def exported(desk, query: str = "") -> list[list[str]]:
    response = page(desk, f"export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?username=reader.fr", [("reader.fr", "ST 5397 2024 INIT", "api-list", 1, 1),
                                 ("reader.fr", "ST 6000 2024 INIT", "api-file", 2, 1),
                                 ("reader.fr", "ST 6000 2024 INIT", "api-list", 1, 1)]),
        ("?via=feed&reference=5397%2F24+REV+1",
         [("reader.be", "ST 5397 2024 REV 1", "feed", 2, 1)]),
        # A reference without a suffix: every version of the number.
        ("?username=reader.be&reference=st-5397-2024&kind=read",
         [("reader.be", "ST 5397 2024 INIT", "api-detail", 1, 1),
          ("reader.be", "ST 5397 2024 INIT", "feed", 3, 2),
          ("reader.be", "ST 5397 2024 REV 1", "feed", 2, 1)]),
        ("?day_from=2024-06-02&day_to=2024-06-03&username=reader.be",
         [("reader.be", "ST 5397 2024 INIT", "feed", 3, 2),
          ("reader.be", "ST 5397 2024 REV 1", "feed", 2, 1),
          ("reader.be", "ST 6000 2024 INIT", "feed", 3, 1)]),
    ],
)  # fmt: skip
def test_supervisors_filter_the_trail(desk, query, expected):
    assert listed(page(desk, query)) == expected


def test_supervisors_filter_by_delegation(desk):
    france = Delegation.objects.get(code="FR")

    rows = listed(page(desk, f"?delegation__id__exact={france.pk}"))

    assert {row[0] for row in rows} == {"reader.fr"}
    assert len(rows) == 3  # two reads and a download


def test_the_export_holds_the_filtered_rows_all_of_them(desk):
    rows = exported(desk, "?username=reader.be&day_from=2024-06-03")

    header, *body = rows
    assert header == [
        "day", "user", "delegation", "document", "kind", "via", "count", "first_at", "last_at",
        "language", "address",
    ]  # fmt: skip
    assert sorted((r[0], r[1], r[2], r[3], r[5], r[6]) for r in body) == [
        ("2024-06-03", "reader.be", "BE", "ST 5397 2024 INIT", "feed", "2"),
        ("2024-06-03", "reader.be", "BE", "ST 6000 2024 INIT", "feed", "1"),
    ]
    assert body[0][7].startswith("2024-06-03T11:00:00+02:00")  # Brussels time


def test_the_export_is_not_paginated(desk, monkeypatch):
    from documents.admin.audit import DocumentReadAdmin

    monkeypatch.setattr(DocumentReadAdmin, "list_per_page", 2)

    assert len(exported(desk)) == 1 + 7


def test_a_bad_filter_value_is_refused(desk):
    assert page(desk, "export.csv?day_from=yesterday").status_code == 400
    assert page(desk, "export.csv?reference=not+a+reference").status_code == 400
    assert page(desk, "?day_from=yesterday").status_code == 302  # the admin's "?e=1" page


def test_the_change_list_offers_the_export_with_its_filters(desk):
    content = page(desk, "?username=reader.be").content.decode()

    assert 'href="export.csv?username=reader.be"' in content
    assert 'name="day_from"' in content


def test_clerks_neither_read_nor_export_the_trail(desk):
    assert page(desk, as_role="clerk").status_code == 403
    assert page(desk, "export.csv", as_role="clerk").status_code == 403


def test_a_spreadsheet_formula_in_a_cell_is_exported_as_text():
    from documents.admin.audit import _cell

    assert [_cell(v) for v in ("=HYPERLINK(1)", "+1", "@x", "ST 1 2024 INIT", None, 3)] == [
        "'=HYPERLINK(1)", "'+1", "'@x", "ST 1 2024 INIT", "", "3",
    ]  # fmt: skip
