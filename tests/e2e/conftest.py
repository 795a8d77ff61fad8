"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, Page, expect, sync_playwright

from servicedesk.directory.models import Person
from tests.e2e.pages import E2E_PASSWORD, GivePassword

# An assertion waits as long as an action does (10 s, `page` below): with the suite on both
# cores, a saved triage's confirmation was not seen within Playwright's default 5 s once, on a
# slow day.
expect.set_options(timeout=10_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
# beside it are still plain synchronous calls, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("Chromium is missing: apt-get install chromium (.ci/run does it).")
    return found


class RequestsInFlight:
    """Counts the requests the live server is still answering.

    A page's last htmx loads may still be running on the server when a test ends and its browser
    closes. The database is emptied right after; on PostgreSQL a request still reading then
    deadlocks the TRUNCATE and the next test starts on the last one's rows. So a test's browser
    waits, after closing, until the server has answered everything it was asked.
    """

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **_: Any) -> None:
        with self.changed:
            self.count += 1

    def finished(self, **_: Any) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_answered(self, timeout: float = 10.0) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count <= 0, timeout=timeout)
            # A stream still open after the timeout (a chat's events) must not delay the next test.
            self.count = 0


requests_in_flight = RequestsInFlight()
request_started.connect(requests_in_flight.started, weak=False)
request_finished.connect(requests_in_flight.finished, weak=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser refused under the Content-Security-Policy during the test."""
    return []


@pytest.fixture
def page(browser: Browser, csp_violations: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield opened
    context.close()
    requests_in_flight.wait_until_answered()
    # Every browser test also proves its pages need nothing the policy forbids.
    assert csp_violations == [], f"a page broke the Content-Security-Policy: {csp_violations}"


@pytest.fixture
def give_password(settings: Any) -> GivePassword:
    """Lets people sign in with E2E_PASSWORD; a fast hasher, since every test signs in and a
    real hash costs half a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def give(*people: Person) -> None:
        for person in people:
            person.set_password(E2E_PASSWORD)
            person.save()

    return give
