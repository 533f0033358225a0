"""Real-browser fixtures: Playwright driving the system Chromium against the live server.

The browser is Debian's ``chromium`` package (``scripts/ensure_chromium.sh`` installs it; ``make
test`` runs that script). Playwright's own browser download is never used, so no network is needed.

Without Chromium the browser tests are skipped on a workstation, but fail under ``CI=true``: a CI
run that silently skipped them would look green while testing nothing in the browser.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google services, which the closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A small /dev/shm (containers) crashes renderers; Debian's launcher means to add this but its
    # size check breaks on machines where /dev/shm is listed twice.
    "--disable-dev-shm-usage",
]
# Milliseconds for every wait and assertion on a page (Playwright's defaults: 30 s and 5 s).
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def _browser_missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{reason} Under CI=true the browser tests must run: install Chromium with "
            "`bash scripts/ensure_chromium.sh` (as root) or `make test`.",
            pytrace=False,
        )
    pytest.skip(f"{reason} Run `bash scripts/ensure_chromium.sh` to install it.")


# Package scope, not session: while Playwright's sync API is alive its event loop counts as
# running in this thread, so every later ORM call in the session would raise
# SynchronousOnlyOperation. Closing it after the last test in tests/e2e keeps the rest of the
# suite out of that.
@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for all the browser tests."""
    if not os.access(CHROMIUM, os.X_OK):
        _browser_missing(f"Chromium not found at {CHROMIUM}.")

    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        # The standard workaround for that running loop, so the database fixtures and the test
        # bodies can use the ORM (the live server's own thread has no loop). Set only while
        # Playwright runs, never for the whole process: it would leak into subprocesses (e.g.
        # `manage.py check --deploy` reports it as async.E001).
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (cookies, storage) and page per test."""
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
