"""The OpenAPI schema validates, and its documentation page works with no network."""

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_schema_validates_without_a_warning(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/documents/", "/api/v1/documents/{slug}/",
        "/api/v1/documents/{slug}/files/{language}/", "/api/v1/procedures/{slug}/",
        "/api/v1/meetings/{key}/", "/api/v1/changes/", "/api/v1/bodies/", "/api/v1/subject-codes/",
        "/api/v1/delegations/", "/api/v1/dumps/", "/api/v1/dumps/{file}",
    } <= paths  # fmt: skip
    filters = {p["name"] for p in schema["paths"]["/api/v1/documents/"]["get"]["parameters"]}
    assert {"reference", "procedure", "subject_code", "q", "cursor", "page_size"} <= filters


@pytest.mark.django_db
def test_documentation_page_serves_its_own_assets():
    client = APIClient()

    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)

    assert assets, page
    assert all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
