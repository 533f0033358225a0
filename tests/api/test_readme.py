"""The README's API section says what the API does: every parameter it lists is accepted (and
every filter the API accepts is listed), every ordering it names orders that way."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from api.filters import DocumentFilter, MeetingFilter, ProcedureFilter
from documents.models import Meeting
from tests.factories import DocumentFactory

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
FILTERS = {"documents": DocumentFilter, "meetings": MeetingFilter, "procedures": ProcedureFilter}
# A value each parameter may take on the demo register.
SAMPLES = {
    "reference": "5397/24", "procedure": "2023/0452(COD)", "series": "ST", "year": "2024",
    "document_type": "NOTE", "distribution": "LIMITE", "subject_code": "JAI 64",
    "body": "lewp-police", "meeting": None, "date_after": "2022-01-01",
    "date_before": "2030-01-01", "updated_since": "2000-01-01T00:00:00Z", "q": "case studies",
    "status": "held", "stage": "proposal", "type": "COD",
}  # fmt: skip


def documented(resource: str) -> tuple[set[str], list[str]]:
    """(filters, orderings) the README lists for ``resource`` in its "Lists" part."""
    bullet = re.search(rf"^  - `{resource}/`: (.*?)(?=^  - |^- )", README, re.M | re.S)
    assert bullet, f"the README lists no parameters for {resource}/"
    text = bullet[1]
    filters_part, _, ordering_part = text.partition("`ordering`:")
    filters_part = re.sub(r"\([^)]*\)", "", filters_part)  # explanations in parentheses
    names = set(re.findall(r"`([a-z_]+)`", filters_part))
    orderings = re.findall(r"`(-?[a-z_]+)`", ordering_part.split(".")[0])
    return names, orderings


@pytest.fixture
def demo(db):
    call_command("load_demo", "--with-users", verbosity=0)
    SAMPLES["meeting"] = Meeting.objects.order_by("starts_at").first().key


@pytest.mark.parametrize("resource", sorted(FILTERS))
def test_every_filter_the_readme_lists_is_accepted_and_every_filter_is_listed(demo, resource):
    names, _orderings = documented(resource)
    accepted = set(FILTERS[resource].base_filters)

    assert names == accepted, "README and API disagree on the filters of " + resource
    for name in sorted(names):
        response = APIClient().get(f"/api/v1/{resource}/", {name: SAMPLES[name]})
        assert response.status_code == 200, (name, response.content)


@pytest.mark.parametrize("resource", sorted(FILTERS))
def test_every_ordering_the_readme_names_orders_that_way(demo, resource):
    _names, orderings = documented(resource)
    assert orderings, resource
    field = {"documents": "date", "meetings": "starts_at", "procedures": "reference"}

    for ordering in orderings:
        response = APIClient().get(f"/api/v1/{resource}/", {"ordering": ordering})
        assert response.status_code == 200, (ordering, response.content)
        key = ordering.lstrip("-")
        values = [item[key] for item in response.json()["results"] if key in item]
        assert values == sorted(values, reverse=ordering.startswith("-")), ordering
    unknown = APIClient().get(f"/api/v1/{resource}/", {"ordering": "subject"})
    assert unknown.status_code == 400
    assert field[resource] in " ".join(orderings)


def test_the_lists_and_the_feed_take_the_parameters_the_readme_names(demo):
    assert "`page_size` (1 to 500), `cursor`" in README
    DocumentFactory(subject="A second public document")
    first = APIClient().get("/api/v1/documents/", {"page_size": 1})
    more = APIClient().get(first.json()["next"])
    feed = APIClient().get("/api/v1/changes/", {"page_size": 1}).json()
    later = APIClient().get("/api/v1/changes/", {"cursor": feed["cursor"], "page_size": 500})

    assert (first.status_code, more.status_code, later.status_code) == (200, 200, 200)
    assert set(first.json()) == {"next", "results"}
    assert set(feed) == {"results", "next", "cursor"}
    assert set(feed["results"][0]) == {"record", "key", "action", "changed_at", "url", "data"}
