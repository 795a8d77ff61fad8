"""The major-incident pages: declare from a ticket and from an outage, attach, send, correct,
resolve, review; refusals beside their field; the page's queries do not grow with children."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicedesk.outages.choices import StatusKind
from servicedesk.outages.major import major_incident_attach, major_incident_declare
from servicedesk.outages.models import Communication, MajorIncident
from servicedesk.outages.services import status_entry_declare
from servicedesk.outages.tests.major_fixtures import World, report
from servicedesk.outages.tests.major_fixtures import world as world  # the fixture
from servicedesk.tickets.choices import Channel, TicketState
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

# Session, user, nav badge, the major incident, scope (tickets by channel and agency, people,
# dependencies), children, candidates (+scope), communications and their sends, timeline,
# the plan and its lists, the partner-list picker: a fixed number, whatever the children.
PAGE_QUERIES = 20


def signed_in(client: Client, world: World) -> Client:
    client.force_login(world.org.desk)
    return client


def declared(world: World) -> MajorIncident:
    parent, *children = world.reports
    return major_incident_declare(
        parent, actor=world.org.desk, public_message="Down.", children=children
    )


def test_declaring_from_the_ticket_page_lists_related_reports_and_attaches_those_picked(
    world: World, client: Client
) -> None:
    signed_in(client, world)
    parent, phoned, mailed = world.reports
    ticket_page = client.get(f"/workspace/tickets/{parent.number}/").content.decode()
    assert "Declare a major incident" in ticket_page
    form = client.get(f"/workspace/tickets/{parent.number}/major/").content.decode()
    assert phoned.number in form and mailed.number in form
    assert "Email" in form and "Service Oklahoma" in form

    response = client.post(
        f"/workspace/tickets/{parent.number}/major/",
        {"public_message": "Case search is down.", "children": [phoned.number]},
        follow=True,
    )

    page = response.content.decode()
    assert response.status_code == 200 and "Major incident" in page
    assert phoned.number in page
    major = MajorIncident.objects.get()
    assert list(major.ticket.links_in.values_list("source__number", flat=True)) == [phoned.number]
    assert "Outage on the status page" in page


def test_a_ticket_page_shows_the_badge_of_its_major_incident_and_others_offer_one(
    world: World, client: Client
) -> None:
    signed_in(client, world)
    major = declared(world)
    page = client.get(f"/workspace/tickets/{major.ticket.number}/").content.decode()
    assert 'data-testid="major-badge"' in page
    assert "Declare a major incident" not in page
    _parent, phoned, _mailed = world.reports
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/workspace/tickets/{phoned.number}/").content.decode()
    assert 'data-testid="major-badge"' not in page and "Declare a major incident" in page
    asked = [query["sql"] for query in captured.captured_queries]
    # The ticket's own row says whether it has one (`tickets.agent_page._presence`).
    assert not [sql for sql in asked if sql.startswith('SELECT "outages_majorincident"')]


def test_declaring_on_a_closed_ticket_shows_the_reason_and_declares_nothing(
    world: World, client: Client
) -> None:
    signed_in(client, world)
    parent = world.reports[0]
    Ticket.objects.filter(pk=parent.pk).update(state=TicketState.CANCELLED)

    response = client.post(f"/workspace/tickets/{parent.number}/major/", {"public_message": "Down"})

    assert response.status_code == 400
    assert "a major incident is declared on an open incident" in response.content.decode()
    assert not MajorIncident.objects.exists()


def test_an_update_with_an_unknown_audience_is_refused_beside_the_field(
    world: World, client: Client
) -> None:
    major = declared(world)
    signed_in(client, world)

    response = client.post(
        f"/workspace/major/{major.pk}/update/",
        {"stage": "identified", "message": "Failing over", "audiences": ["fax"]},
    )

    assert response.status_code == 400
    assert 'data-testid="error-audiences"' in response.content.decode()
    assert not Communication.objects.exists()


def test_the_page_shows_scope_children_and_each_send(world: World, client: Client) -> None:
    major = declared(world)
    signed_in(client, world)
    client.post(
        f"/workspace/major/{major.pk}/update/",
        {"stage": "identified", "message": "Failing over", "audiences": ["affected", "partners"]},
    )

    page = client.get(f"/workspace/major/{major.pk}/").content.decode()

    assert "Phone 1" in page and "Email 1" in page and "Portal 1" in page
    assert "Warrant Notifications" in page
    assert "Everyone affected: 2" in page and "Partner distribution lists: 2" in page
    # Child incidents are never called tasks: the only "task" is the rule that tasks block.
    assert page.lower().count("task") == 1 and "Open tasks still block" in page


def test_the_page_costs_the_same_queries_with_more_children(world: World, client: Client) -> None:
    major = declared(world)
    signed_in(client, world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/workspace/major/{major.pk}/").status_code == 200
    more = [
        report(world.org, world.service, world.org.colleague, Channel.CHAT, f"Down {n}")
        for n in range(10)
    ]
    major_incident_attach(major, more, actor=world.org.desk)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/workspace/major/{major.pk}/").status_code == 200
    assert len(few) == len(many) == PAGE_QUERIES


def test_resolving_from_the_page_then_the_review_records_the_root_cause(
    world: World, client: Client
) -> None:
    major = declared(world)
    signed_in(client, world)

    client.post(f"/workspace/major/{major.pk}/resolve/", {"message": "Node replaced"})
    review = client.post(
        f"/workspace/major/{major.pk}/review/",
        {"root_cause": "A disk controller failed", "open_problem": "on"},
        follow=True,
    ).content.decode()

    major.refresh_from_db()
    assert major.resolved_at is not None and major.problem is not None
    assert "Time to resolve" in review and "declared the major incident" in review
    assert "told" in review and "resolved it with 2 child incident(s)" in review
    assert "attached child incidents: 2:" in review
    assert major.problem.number in review


def test_declaring_from_an_outage_page(world: World, client: Client) -> None:
    entry = status_entry_declare(
        actor=world.org.desk,
        service=world.service,
        kind=StatusKind.OUTAGE,
        title="Case search unavailable",
        message="We know.",
        incident=world.reports[0],
    )
    signed_in(client, world)

    page = client.post(f"/workspace/status/{entry.pk}/major/", follow=True).content.decode()

    assert MajorIncident.objects.get().status_entry == entry
    status_page = client.get(f"/workspace/status/{entry.pk}/").content.decode()
    assert "Major incident " + world.reports[0].number in status_page
    assert "Case search unavailable" in page


def test_the_status_board_links_the_major_incident(world: World, client: Client) -> None:
    major = declared(world)
    signed_in(client, world)

    board = client.get("/workspace/status/").content.decode()

    assert f'href="/workspace/major/{major.pk}/"' in board
