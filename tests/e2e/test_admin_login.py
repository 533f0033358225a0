"""The admin login, driven through the real login form in Chromium."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_url(live_server):
    """The admin index on the live server, with the demo register and its users loaded."""
    call_command("load_demo", "--with-users", verbosity=0)
    return f"{live_server.url}/{settings.ADMIN_URL}"


def _log_in(page, url, *, username, password):
    page.goto(url)
    # The admin sends anonymous visitors to its login form.
    expect(page.locator("#login-form")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form [type=submit]")


def test_clerk_logs_in_to_the_admin(page, admin_url):
    _log_in(page, admin_url, username="clerk", password="clerk-demo-password")

    expect(page).to_have_url(admin_url)
    expect(page.locator("body")).to_contain_class("dashboard")
    # The register's section of the app list (the documents app is called "Register").
    expect(page.locator("#content-main .app-documents caption")).to_have_text("Register")
    expect(page.locator("#user-tools")).to_contain_text("clerk")
    expect(page.locator("#logout-form [type=submit]")).to_have_text("Log out")
    expect(page.locator(".errornote")).to_have_count(0)


def test_delegate_cannot_enter_the_admin(page, admin_url):
    _log_in(page, admin_url, username="delegate.be", password="delegate-demo-password")

    expect(page.locator(".errornote")).to_contain_text(
        "Please enter the correct username and password for a staff account"
    )
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#content-main .app-documents")).to_have_count(0)
    expect(page.locator("#logout-form")).to_have_count(0)
