"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live server.

Chromium is never downloaded: the system one at /usr/bin/chromium is required, and without it the
browser tests fail (they are not skipped).
"""

import os
from pathlib import Path

# Playwright's sync API keeps an asyncio loop running in this thread; Django would otherwise refuse
# database access from the test body (the ``world`` fixture, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pass-12345-word"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (browser tests never download one)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db, django_db_serialized_rollback, world):
    """The live server with the shared world committed to the database.

    The reference data (regions, CEC, regional TECs) comes from data migrations; a transactional test
    flushes the tables afterwards, so the rollback is serialized to bring that data back for the next test.
    """
    world.url = live_server.url
    return world


class Browsing:
    """A browser context and a page, with the console's CSP reports collected."""

    def __init__(self, browser, base_url, **context_options):
        self.context = browser.new_context(base_url=base_url, **context_options)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.csp_errors = []
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        return page

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def close(self):
        self.context.close()


@pytest.fixture
def browsing(browser, site):
    """Open browser contexts on the live server; each closes at the end and must not have broken the CSP."""
    opened = []

    def open_context(**context_options):
        context_options.setdefault("locale", "en-US")
        browsing = Browsing(browser, site.url, **context_options)
        opened.append(browsing)
        return browsing

    yield open_context
    errors = [error for b in opened for error in b.csp_errors]
    for b in opened:
        b.close()
    assert not errors, f"Content Security Policy violations: {errors}"


@pytest.fixture
def page(browsing):
    return browsing().page


def log_in(page, username, password=PASSWORD):
    """Log in through the form, as a person would."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose_language(page, code):
    """Press a language button in the header and wait for the page to come back in that language."""
    with page.expect_navigation():
        page.locator(f'header form.lang button[name="language"][value="{code}"]').click()
    page.wait_for_function("code => document.documentElement.lang === code", arg=code)
