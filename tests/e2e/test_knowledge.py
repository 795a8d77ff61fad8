"""The knowledge base in the browser: an employee finds an answer from the portal home and says
whether it helped; an agent writes a draft, publishes it, and the employee then finds it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.models import Person
from servicedesk.knowledge.models import ArticleFeedback
from servicedesk.knowledge.services import article_create, article_publish
from tests.e2e.pages import (
    E2E_PASSWORD,
    Deflection,
    GivePassword,
    KnowledgeAuthoring,
    KnowledgeBase,
    LoginPage,
    PortalHome,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(org: Org, give_password: GivePassword) -> Org:
    give_password(org.employee, org.desk)
    return org


def sign_in(page: Page, base_url: str, person: Person) -> PortalHome:
    LoginPage(page, base_url).open().sign_in(person.username, E2E_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return PortalHome(page).open(base_url)


def test_an_employee_finds_an_article_from_the_portal_home_and_answers_did_this_help(
    live_server, page: Page, people: Org
) -> None:
    for title, body in (
        ("Reset your VPN password", "Open the reset page <b>and</b> choose a new password."),
        ("Map a network printer", "Ask the desk for the printer password."),
    ):
        article_publish(
            article_create(actor=people.desk, title=title, body=body), actor=people.desk
        )
    home = sign_in(page, live_server.url, people.employee)
    kb = KnowledgeBase.search_from_home(home, "vpn password")
    expect(kb.results).to_have_count(1)
    kb.open_article("Reset your VPN password")
    expect(kb.article).to_contain_text("Open the reset page <b>and</b> choose")
    kb.answer(helped=False)
    expect(kb.answer_given).to_contain_text("did not help")
    expect(kb.file_an_incident).to_be_visible()
    kb.answer(helped=True)
    expect(kb.answer_given).to_contain_text("You said this helped")
    answer = ArticleFeedback.objects.get()
    assert answer.helpful and answer.person == people.employee


def test_typing_the_short_description_suggests_the_article_that_answers_it(
    live_server, page: Page, people: Org
) -> None:
    for title, body in (
        ("Reset your VPN password", "Open the reset page and choose a new password."),
        ("Map a network printer", "Ask the desk for the printer's name."),
    ):
        article_publish(
            article_create(actor=people.desk, title=title, body=body), actor=people.desk
        )
    form = sign_in(page, live_server.url, people.employee).something_broken()
    form.short_description.press_sequentially("I forgot my VPN password")
    suggestions = Deflection(page)
    expect(suggestions.suggested_articles).to_have_text(["Reset your VPN password"])
    article = suggestions.open_article("Reset your VPN password")
    expect(article.get_by_role("heading", level=1)).to_have_text("Reset your VPN password")
    expect(article.get_by_text("Open the reset page and choose a new password.")).to_be_visible()
    expect(form.short_description).to_have_value("I forgot my VPN password")


def test_an_agent_publishes_a_draft_and_the_employee_then_finds_it(
    live_server, browser: Browser, page: Page, people: Org
) -> None:
    sign_in(page, live_server.url, people.desk)
    authoring = KnowledgeAuthoring.from_nav(page).new_article()
    authoring.write(
        title="Join the office Wi-Fi with a new device",
        summary="Connect a laptop or phone to OMES-Staff.",
        body="Choose OMES-Staff and sign in with your network account.",
        keywords="wireless, onboarding",
    )
    authoring.save_draft()
    expect(authoring.state).to_have_text("Draft")

    employee_context = browser.new_context(viewport={"width": 390, "height": 844})
    employee_page = employee_context.new_page()
    home = sign_in(employee_page, live_server.url, people.employee)
    kb = KnowledgeBase.search_from_home(home, "wifi onboarding")
    expect(employee_page.get_by_test_id("kb-no-results")).to_be_visible()

    authoring.publish()
    expect(authoring.state).to_have_text("Published")

    home.open(live_server.url)
    kb = KnowledgeBase.search_from_home(home, "wifi onboarding")
    expect(kb.results).to_have_count(1)
    kb.open_article("Join the office Wi-Fi with a new device")
    expect(kb.article).to_contain_text("Choose OMES-Staff")
    employee_context.close()
