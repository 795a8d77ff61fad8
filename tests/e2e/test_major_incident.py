"""The justice network desk's outage drill, end to end in Chromium against a real SMTP server
(aiosmtpd): declare a major incident from an incident with three reports over three channels;
the Service Desk Lead, the Application Support Manager and the on-call person get mail; the
scope shows the counts; an update goes to the status page, the phone greeting and the partners;
a correction follows; resolution resolves every child, and each affected person gets exactly one
resolution mail. Mail leaves when the worker runs (`deliver_due`, one worker cycle)."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.notifications.delivery import deliver_due
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.notifications.tests.smtp_server import smtp_server as smtp_server  # fixture
from servicedesk.outages.tests.major_fixtures import World
from servicedesk.outages.tests.major_fixtures import world as world  # the fixture
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from tests.e2e.pages import (
    E2E_PASSWORD,
    AgentTicketPage,
    DeclareMajorIncidentPage,
    GivePassword,
    Header,
    LoginPage,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def worker_cycle() -> None:
    deliver_due()


def addressed(sink: SmtpServer, subject_part: str) -> Counter[str]:
    """How many mails each address got whose subject contains `subject_part`."""
    return Counter(
        address
        for item in sink.received
        if subject_part in str(item.message["Subject"])
        for address in item.envelope_to
    )


def test_the_outage_drill(
    live_server, page: Page, world: World, smtp_server: SmtpServer, give_password: GivePassword
) -> None:
    org = world.org
    give_password(org.desk)
    parent = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Case search is down for everyone",
        service=world.service,
        channel=Channel.PHONE,
    )
    LoginPage(page, live_server.url).open().sign_in(org.desk.username, E2E_PASSWORD)
    expect(Header(page).who_am_i).to_be_visible()

    # Declare, attaching the three reports (phone, e-mail, portal).
    declare = DeclareMajorIncidentPage.from_ticket(
        AgentTicketPage(page).open(live_server.url, parent.number)
    )
    expect(declare.candidates).to_have_count(3)
    expect(declare.candidates.first).to_contain_text("Service Oklahoma")
    major = declare.declare(
        "Case search is unavailable; we are working on it.",
        [report.number for report in world.reports],
    )
    expect(major.state).to_have_text("Major incident")
    expect(major.children).to_have_count(3)
    expect(major.scope("tickets")).to_have_text("4")
    expect(major.scope("people")).to_have_text("2")
    expect(major.scope("channels")).to_contain_text("Phone 2 · Voicemail 0 · Email 1 · Portal 1")
    expect(major.scope("users")).to_have_text("A subset: Service Oklahoma")
    expect(major.scope("services")).to_contain_text("Warrant Notifications")

    worker_cycle()
    told = addressed(smtp_server, "Major incident")
    assert told == Counter(
        {"desklead@example.org": 1, "appmanager@example.org": 1, "oncall@example.org": 1}
    )

    # One update to the status page, the phone greeting and the partners.
    major.send_update(
        "Identified",
        "A database node failed; failing over.",
        ["Portal status page", "Phone greeting", "Partner distribution lists"],
    )
    expect(major.communications).to_have_count(1)
    expect(major.communications.first.get_by_test_id("sends")).to_have_text(
        "Portal status page: 1 · Phone greeting: 1 · Partner distribution lists: 2"
    )
    greeting = page.request.get(f"{live_server.url}/api/v1/greeting").json()
    assert greeting["text"] == "A database node failed; failing over."
    page.goto(f"{live_server.url}/portal/status/")
    expect(page.get_by_text("A database node failed; failing over.")).to_be_visible()
    page.go_back()
    worker_cycle()
    assert addressed(smtp_server, "Case Search") == Counter(
        {"feeds@county.example": 1, "clerk@courts.example": 1}
    )

    # A correction follows: in place on the page and greeting, mailed to the same partners.
    major.correct(major.communications.first, "A network switch failed, not the database.")
    expect(major.communications).to_have_count(2)
    greeting = page.request.get(f"{live_server.url}/api/v1/greeting").json()
    assert greeting["text"] == "A network switch failed, not the database."
    page.goto(f"{live_server.url}/portal/status/")
    expect(page.get_by_text("A network switch failed, not the database.")).to_be_visible()
    expect(page.get_by_text("A database node failed; failing over.")).to_have_count(0)
    page.go_back()
    worker_cycle()
    assert addressed(smtp_server, "Correction") == Counter(
        {"feeds@county.example": 1, "clerk@courts.example": 1}
    )

    # Resolution: every child resolved, one mail per affected person (the employee filed two).
    major.resolve("The switch was replaced; case search works again.")
    expect(major.state).to_have_text("Resolved")
    numbers = [parent.number, *(r.number for r in world.reports)]
    states = set(Ticket.objects.filter(number__in=numbers).values_list("state", flat=True))
    assert states == {TicketState.RESOLVED}
    worker_cycle()
    assert addressed(smtp_server, "Resolved") == Counter(
        {"employee@example.org": 1, "colleague@example.org": 1}
    )
    employee_mail = next(
        item
        for item in smtp_server.to("employee@example.org")
        if "Resolved" in str(item.message["Subject"])
    )
    assert world.reports[0].number in employee_mail.text
    assert world.reports[2].number in employee_mail.text
