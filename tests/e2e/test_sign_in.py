import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD
from servicedesk.directory.models import Person
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import my_tickets
from servicedesk.tickets.workflow import OPEN_STATES
from tests.e2e.pages import GivePassword, Header, LoginPage, PortalHome, WorkspaceHome

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo() -> None:
    """Loaded for the one test here that signs in as each demo login: a load took 25 s on
    PostgreSQL in CI, so the desk and the phone sizes share it."""
    call_command("load_demo", verbosity=0)


def test_every_demo_login_lands_on_its_page_on_a_desk_and_on_a_phone(
    live_server, page: Page, demo: None
) -> None:
    for login in DEMO_LOGINS:
        LoginPage(page, live_server.url).open().sign_in(login.username, DEMO_PASSWORD)
        header = Header(page)
        expect(header.who_am_i).to_contain_text(login.name)
        expect(header.who_am_i).to_contain_text(login.role.label)
        if login.username == "employee":
            expect(page).to_have_url(re.compile(r"/portal/$"))
            employee = Person.objects.get(username="employee")
            mine = my_tickets(employee).filter(state__in=OPEN_STATES)
            expect(PortalHome(page).open_tickets).to_have_count(mine.count())
        else:
            expect(page).to_have_url(re.compile(r"/workspace/$"))
            # Everyone sees every open ticket but `network`, whose team serves one agency.
            every_open = Ticket.objects.filter(state__in=OPEN_STATES).count()
            staff = Person.objects.get(username=login.username)
            theirs = visible_tickets(staff).filter(state__in=OPEN_STATES).count()
            assert WorkspaceHome(page).count("all-open") == theirs
            assert (theirs < every_open) == (login.username == "network")
        header.sign_out()
        expect(page.get_by_label("Username")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 800})
    for login in DEMO_LOGINS:
        LoginPage(page, live_server.url).open().sign_in(login.username, DEMO_PASSWORD)
        sign_out = page.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, login.username
        box = sign_out.bounding_box()
        assert box is not None and box["height"] < 40, "Sign out wrapped onto two lines"
        Header(page).sign_out()
        expect(page.get_by_label("Username")).to_be_visible()


def test_a_wrong_password_is_told_plainly(
    live_server, page: Page, org: Org, give_password: GivePassword
) -> None:
    give_password(org.desk)
    login = LoginPage(page, live_server.url).open()
    login.sign_in(org.desk.username, "not-the-password")
    expect(login.error).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value(org.desk.username)
