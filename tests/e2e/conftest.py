"""Browser journeys: Playwright drives Debian's Chromium, headless, against a live server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (or
CHROMIUM_PATH). Screenshots land in var/screenshots/ for people to look at.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def browser():
    require_service("Chromium", Path(CHROMIUM).exists(), f"{CHROMIUM} is missing; run scripts/system-deps.sh")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the test's own
    # database work (factories) is synchronous; Django's async guard would refuse it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Playwright runs its loop in a greenlet of its own, and Django's connections live in context variables:
    # after the start the tests see fresh connection objects, without the rows that transactional tests
    # restore (serialized_rollback). Hand those rows over so the journeys find the data migrations' pages.
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(request, browser, live_server):
    context = browser.new_context(viewport=request.param, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    page.viewport_name = request.node.callspec.id
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=path, full_page=True)
    return path
