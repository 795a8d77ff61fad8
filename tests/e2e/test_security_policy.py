"""The Content-Security-Policy holds in a real browser: markup smuggled into a page cannot run
script, and the desk's own pages need nothing it forbids (the `page` fixture checks every test)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Agency, Location
from tests.e2e.pages import E2E_PASSWORD, GivePassword, LoginPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_injected_event_handler_is_refused_by_the_browser(
    page: Page, live_server, give_password: GivePassword, csp_violations: list[str]
) -> None:
    office = Location.objects.create(
        name="HQ", agency=Agency.objects.create(name="Service Oklahoma")
    )
    give_password(make_person("employee", Role.REQUESTER, office))
    LoginPage(page, live_server.url).open().sign_in("employee", E2E_PASSWORD)
    page.wait_for_url("**/portal/")

    page.evaluate(
        """() => document.body.insertAdjacentHTML(
            'beforeend', '<img src="/favicon.ico" onload="window.injected = 1">')"""
    )
    page.wait_for_timeout(300)

    assert page.evaluate("() => window.injected") is None
    assert any("inline event handler" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # the refusal was the point of this test


def test_the_admin_and_the_api_docs_work_under_the_policy(
    page: Page, live_server, give_password: GivePassword
) -> None:
    office = Location.objects.create(name="HQ", agency=Agency.objects.create(name="OMES"))
    admin = make_person("admin", Role.ADMIN, office)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    give_password(admin)
    LoginPage(page, live_server.url).open().sign_in("admin", E2E_PASSWORD)
    page.wait_for_url("**/workspace/")

    for path in ("/admin/tickets/ticket/", "/admin/directory/agency/add/", "/api/v1/docs"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")
    # Swagger UI, from our own static files, rendered the schema.
    expect(page.locator(".swagger-ui .info")).to_contain_text("Servicedesk API")
    # The `page` fixture fails the test on any refusal the browser reported.
