"""The status page, the home's status line and deflection while typing, as an employee sees them."""

from __future__ import annotations

from django.test import Client

from servicedesk.catalog.choices import Impact
from servicedesk.conftest import Org
from servicedesk.core.tests.test_kept_queries import compilations
from servicedesk.notifications.models import Notification
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.tests.conftest import email as email
from servicedesk.outages.tests.conftest import email_outage as email_outage
from servicedesk.outages.tests.conftest import network_maintenance as network_maintenance
from servicedesk.outages.tests.conftest import outage_incident as outage_incident
from servicedesk.outages.tests.conftest import wide_incident
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.services.drafts import draft_save


def test_the_status_page_needs_a_sign_in(client: Client, org: Org) -> None:
    response = client.get("/portal/status/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_status_page_shows_outages_with_updates_and_planned_maintenance(
    employee_client: Client, email_outage: StatusEntry, network_maintenance: StatusEntry
) -> None:
    from servicedesk.outages.choices import UpdateStage
    from servicedesk.outages.services import status_entry_update

    status_entry_update(
        email_outage,
        actor=email_outage.created_by,
        stage=UpdateStage.IDENTIFIED,
        message="<script>alert(1)</script>\nRelay full",
    )
    page = employee_client.get("/portal/status/").content.decode()
    current = page[page.index('data-testid="status-current"') : page.index("status-planned")]
    assert "Email and calendar" in current and "Email delivery delayed" in current
    assert "Identified" in current
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Relay full" in current
    assert "<script>alert(1)" not in page
    planned = page[page.index("status-planned") : page.index("status-history")]
    assert "Core switch upgrade" in planned


def test_the_home_line_says_what_is_wrong_and_links_the_status_page(
    employee_client: Client, email_outage: StatusEntry
) -> None:
    page = employee_client.get("/portal/").content.decode()
    assert "system-status-outage" in page
    assert "Email and calendar: outage since" in page
    assert 'href="/portal/status/"' in page


def test_the_home_reads_its_tickets_drafts_and_status_without_compiling_them_again(
    employee_client: Client,
    org: Org,
    email_outage: StatusEntry,
    network_maintenance: StatusEntry,
) -> None:
    """The portal home's three reads are kept (`core.kept_queries`). The status line's statement
    takes the page's moment, so the maintenance planned in three days is counted from it."""
    mine = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer jams"
    )
    draft_save(
        None,
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Half typed",
        description="",
    )
    employee_client.get("/portal/")
    with compilations() as compiled:
        page = employee_client.get("/portal/").content.decode()
    assert "Email and calendar: outage since" in page
    assert "1 planned maintenance this week" in page
    assert mine.number in page and "Half typed" in page
    for table in ("tickets_ticket", "tickets_ticketdraft", "outages_statusentry"):
        assert not any(f'FROM "{table}"' in sql for sql in compiled), compiled


def test_suggestions_offer_the_declared_outage_to_join(
    employee_client: Client, email_outage: StatusEntry, outage_incident: Ticket
) -> None:
    response = employee_client.get("/portal/suggestions/", {"short_description": "email slow"})
    page = response.content.decode()
    assert "Is this your issue?" in page
    assert f"/portal/tickets/{outage_incident.number}/join/" in page


def test_suggestions_are_empty_for_unrelated_text(
    employee_client: Client, email_outage: StatusEntry
) -> None:
    response = employee_client.get("/portal/suggestions/", {"short_description": "stapler"})
    assert response.status_code == 200
    assert "Is this your issue?" not in response.content.decode()


def test_add_me_as_affected_joins_once_and_tells_the_assignee(
    employee_client: Client, org: Org, email_outage: StatusEntry, outage_incident: Ticket
) -> None:
    url = f"/portal/tickets/{outage_incident.number}/join/"
    assert employee_client.get(f"/portal/tickets/{outage_incident.number}/").status_code == 404
    response = employee_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{outage_incident.number}/"
    assert employee_client.get(response["Location"]).status_code == 200
    assert org.employee in outage_incident.affected_people.all()
    again = employee_client.post(url, headers={"HX-Request": "true"})
    assert again["HX-Redirect"] == f"/portal/tickets/{outage_incident.number}/"
    joins = TicketHistory.objects.filter(ticket=outage_incident, action="ticket.join")
    assert joins.count() == 1
    told = Notification.objects.filter(recipient=org.desk, ticket=outage_incident)
    assert told.filter(title__contains="is also affected").count() == 1
    assert Ticket.objects.count() == 1  # nothing new was filed


def test_only_what_would_be_offered_can_be_joined(employee_client: Client, org: Org) -> None:
    personal = wide_incident(org, "My email bounces", Impact.INDIVIDUAL)
    elsewhere = wide_incident(org, "Email down in Sequoyah", Impact.AGENCY)
    for ticket in (personal, elsewhere):
        response = employee_client.post(f"/portal/tickets/{ticket.number}/join/")
        assert response.status_code == 404
        assert org.employee not in ticket.affected_people.all()
    assert employee_client.post("/portal/tickets/INC9999999/join/").status_code == 404
    assert employee_client.get(f"/portal/tickets/{personal.number}/join/").status_code == 405


def test_the_filing_form_asks_for_suggestions_as_one_types(employee_client: Client) -> None:
    page = employee_client.get("/portal/new/incident/").content.decode()
    assert 'hx-get="/portal/suggestions/"' in page
    assert "input changed delay:400ms from:#id_short_description" in page
