"""The desk finds a document by any name on its cover (issue 10, item 2)."""

import datetime

import pytest
from django.urls import reverse

from documents.models import Distribution
from documents.roles import Role, roles_set_up, user_role_set
from tests.factories import DocumentFactory, ProcedureFactory, SubjectCodeFactory, UserFactory

CHANGELIST = reverse("admin:documents_document_changelist")


@pytest.fixture
def desk(db, client):
    roles_set_up()
    clerk = UserFactory(username="clerk")
    user_role_set(user=clerk, role=Role.CLERK)
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    for code in ("JAI", "ENFOPOL", "CODEC", "CFSP/PESC"):
        SubjectCodeFactory(code=code)
    ProcedureFactory(year=2023, number=452, type="COD")
    documents = {
        "note": DocumentFactory(
            reference="5397/24", subject="Case studies to illustrate the interim regulation",
            subject_codes=["JAI 64", "CODEC 90"], procedures=["2023/0452(COD)"],
            distribution=Distribution.LIMITE,
        ),
        "add": DocumentFactory(reference="9068/22", subject="Compromise text"),
        "wk": DocumentFactory(
            reference="WK 9107/2022", subject="Presentations on the proposal",
            subject_codes=["ENFOPOL"], date=datetime.date(2022, 6, 23),
        ),
        "other": DocumentFactory(subject="Fisheries", subject_codes=["CFSP/PESC"]),
    }  # fmt: skip
    documents["add1"] = DocumentFactory(reference="9068/22 ADD 1", subject="Annex")
    documents["citing"] = DocumentFactory(subject="Follow-up", cites=["9068/22 ADD 1"])
    return client, documents


def found(client, term: str) -> set[str]:
    response = client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200, term
    return {d.reference for d in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("5397/24", {"note"}),
        ("5397-24", {"note"}),
        ("ST 5397 2024", {"note"}),
        ("st 5397/2024 init", {"note"}),
        ("WK 9107/22", {"wk"}),
        ("wk-9107-2022-init", {"wk"}),
        ("9068/22", {"add", "add1"}),  # every version of the number
        ("9068/22 ADD 1", {"add1", "citing"}),  # and the documents citing it
        ("JAI 64", {"note"}),
        ("jai", {"note"}),
        ("ENFOPOL", {"wk"}),
        ("CFSP/PESC", {"other"}),
        ("2023/0452(COD)", {"note"}),
        ("2023/0452 (COD)", {"note"}),
        ("case studies", {"note"}),
        ("presentations", {"wk"}),
        ('"', set()),  # not a reference, not a word: nothing, never everything
        ("the", set()),
        ("zzzz nonsense", set()),
    ],
)
def test_the_desk_finds_a_document_by_any_name_on_its_cover(desk, term, expected):
    client, documents = desk

    assert found(client, term) == {documents[name].reference for name in expected}


def test_a_search_runs_the_same_number_of_queries_for_few_and_many_matches(desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _documents = desk

    def queries(term):
        with CaptureQueriesContext(connection) as captured:
            client.get(CHANGELIST, {"q": term})
        return len(captured)

    for _ in range(10):
        DocumentFactory(subject="Case studies again", subject_codes=["JAI"])
    assert queries("jai") == queries("ENFOPOL")
