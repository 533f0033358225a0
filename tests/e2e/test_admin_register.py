"""A clerk registers a LIMITE document in Chromium and sees the allocated reference."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from documents.models import Document

pytestmark = pytest.mark.e2e


def choose(page, field: str, term: str, option: str) -> None:
    """Pick ``option`` in the admin autocomplete (Select2) of ``field`` by typing ``term``."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option).first.click()


def test_clerk_registers_a_limite_note_with_codes_and_a_procedure(page, live_server):
    call_command("load_demo", "--with-users", verbosity=0)
    admin = f"{live_server.url}/{settings.ADMIN_URL}"
    page.goto(admin)
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "clerk-demo-password")
    page.click("#login-form [type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("clerk")

    page.goto(f"{admin}documents/document/add/")
    page.fill("#id_date", "2024-02-05")
    page.select_option("#id_document_type", "NOTE")
    page.fill("#id_originator", "Presidency")
    page.fill("#id_recipients", "Delegations")
    page.fill("#id_subject", "Draft compromise text on detection orders")
    page.select_option("#id_distribution", "LIMITE")
    choose(page, "procedures", "2022/0155", "2022/0155(COD)")
    choose(page, "subject_codes", "JAI", "JAI")
    choose(page, "subject_codes", "CODEC", "CODEC")
    page.click("input[name=_save]")

    # 5397/24 was registered by hand; the counter of 2024 starts at 1.
    success = page.locator(".messagelist .success")
    expect(success).to_have_text(re.compile(r"Registered ST 1 2024 INIT \(1/24\)\."))
    document = Document.objects.get(subject="Draft compromise text on detection orders")
    assert document.distribution == "LIMITE"
    assert [p.reference for p in document.procedures.all()] == ["2022/0155(COD)"]
    # JAI 64 and CODEC 90 of 2024 were registered by hand with 5397/24; numbering steps over
    # nothing below them, so these are the first numbers of the year.
    assert [str(link) for link in document.subject_code_links.all()] == ["JAI 1", "CODEC 1"]
    expect(page.locator(".field-subject_code_labels")).to_contain_text("JAI 1, CODEC 1")
