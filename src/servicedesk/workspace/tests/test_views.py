"""The agent's pages through Django's test client: scope, queries, triage, stale saves, calls."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import Category, PriorityCode, PriorityMatrixCell
from servicedesk.conftest import Org
from servicedesk.directory.models import Agency, Person, SupportGroup
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState
from servicedesk.sla.engine import Clock, Target
from servicedesk.sla.models import BusinessCalendar, TicketClock
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_link, ticket_set_affected

# session, user, the configuration's edition, count, page of tickets: 5 (the filter pickers,
# groups, people and services, whose rows the bulk pickers reuse, are kept while the
# configuration's edition stands: core.model_choices); +1 for the nav's unread-notifications
# badge (one COUNT, from the notifications context processor, paid by every page that extends
# base.html).
# +1: the agent's scope (their groups and the agencies those serve, tickets.access), read once
# per request however many querysets start from it.
# +2 on the uncategorized queue: the odd-hour review banner (the school district's SLA
# procedure) reads the desk's calendar and the last review (workspace.queue_review).
QUEUE_PAGE_QUERIES = 5 + 1 + 1 + 2
# A search counts nothing: its page reads one ticket more than it shows (SearchPaginator).
SEARCH_PAGE_QUERIES = QUEUE_PAGE_QUERIES - 1
# The agent's ticket page of a new incident: session, user, the configuration's edition, scope,
# ticket, its affected people, comments, history (the urgent messages among it), clocks and
# their events, files (the comments' among them), canned responses, the unread badge: 13. Its
# links, request answers, satisfaction survey, received mails and major incident are read only
# when the ticket has some, and whether the agent watches it is asked with the ticket's row
# (`tickets.agent_page._presence`).
# The triage form's pickers (services, request types, categories, codes, groups, staff), the
# priority matrix and the calendars' closures are kept while the configuration's edition
# stands, so they cost a page nothing after the first. The folded forms (assign, escalate,
# task, redirect…) are fetched when the agent opens one (`ticket_form`).
TICKET_PAGE_QUERIES = 13


@pytest.fixture
def incident(org: Org) -> Ticket:
    # The state agency's priority matrix is loaded by a catalog migration: agency × outage → P1.
    assert (
        PriorityMatrixCell.objects.get(impact=Impact.AGENCY, severity=Severity.OUTAGE).priority
        == "p1"
    )
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer offline"
    )
    ticket_set_affected(ticket, actor=org.employee, people=[org.employee, org.colleague])
    return ticket


def as_user(client: Client, person) -> Client:
    client.force_login(person)
    return client


def test_employees_get_404_on_every_workspace_page(org: Org, client: Client, incident) -> None:
    as_user(client, org.employee)
    for url in (
        "/workspace/queues/new/",
        f"/workspace/tickets/{incident.number}/",
        "/workspace/call/",
        "/workspace/counts/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/workspace/tickets/{incident.number}/comment/", {"body": "x"}).status_code
        == 404
    )


def test_a_queue_page_takes_the_same_queries_however_many_tickets(
    org: Org, client: Client, django_assert_num_queries
) -> None:
    as_user(client, org.desk)
    client.get("/workspace/queues/uncategorized/")  # the pickers' rows, then kept
    for count in (2, 30):
        while Ticket.objects.count() < count:
            ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Slow")
        # The uncategorized queue: the fullest page, with the odd-hour review banner.
        with django_assert_num_queries(QUEUE_PAGE_QUERIES):
            listed = client.get("/workspace/queues/uncategorized/?sort=-priority")
        with django_assert_num_queries(SEARCH_PAGE_QUERIES):
            searched = client.get("/workspace/queues/uncategorized/?q=slow&sort=-priority")
        assert listed.status_code == searched.status_code == 200
    assert "30 tickets · page 1 of 2" in listed.content.decode()
    assert "25+ tickets · page 1\n" in searched.content.decode()


def test_a_search_counts_its_matches_as_far_as_the_page_it_shows(org: Org, client: Client) -> None:
    as_user(client, org.desk)
    for n in range(27):
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=f"VPN {n}")
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer")
    first = client.get("/workspace/queues/all-open/?q=vpn").content.decode()
    assert "25+ tickets · page 1\n" in first and "page=2" in first and "Printer" not in first
    last = client.get("/workspace/queues/all-open/?q=vpn&page=2").content.decode()
    assert "27 tickets · page 2 of 2" in last and "page=3" not in last
    assert last.count("VPN ") == 2
    beyond = client.get("/workspace/queues/all-open/?q=vpn&page=9").content.decode()
    assert "25+ tickets · page 1\n" in beyond
    few = client.get("/workspace/queues/all-open/?q=printer").content.decode()
    assert "1 ticket\n" in few and "page 1" not in few


def test_unknown_queue_is_a_404(org: Org, client: Client) -> None:
    assert as_user(client, org.desk).get("/workspace/queues/nope/").status_code == 404


def test_the_ticket_page_proposes_impact_and_shows_clocks(org: Org, client: Client, incident):
    page = as_user(client, org.desk).get(f"/workspace/tickets/{incident.number}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="proposed-impact"' in html and "<strong>Agency</strong>" in html
    assert 'data-testid="sla-clocks"' in html


def test_triage_saves_and_previews(org: Org, client: Client, incident) -> None:
    as_user(client, org.desk)
    preview = client.get(
        f"/workspace/tickets/{incident.number}/preview/",
        {"service": str(org.service.pk), "impact": "agency", "severity": "outage"},
    ).content.decode()
    assert "Network" in preview and "Priority 1" in preview
    response = client.post(
        f"/workspace/tickets/{incident.number}/triage/",
        {
            "version": incident.version,
            "channel": Channel.PORTAL,
            "service": org.service.pk,
            "impact": "agency",
            "severity": "outage",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.priority, incident.assignment_group) == ("p1", org.network_group)


def test_triage_marks_each_code_with_its_category_and_refuses_a_mismatch_beside_the_field(
    org: Org, client: Client, incident
) -> None:
    """The browser narrows the code list by category (workspace/priority_codes.js reads the
    marks); a save without scripts still meets the server's check."""
    break_fix = Category.objects.create(number=1, name="Break fix")
    access = Category.objects.create(number=2, name="Security access")
    emergency = PriorityCode.objects.create(category=break_fix, code=1, name="Emergency")
    as_user(client, org.desk)
    page = client.get(f"/workspace/tickets/{incident.number}/").content.decode()
    assert 'data-narrowed-by="category"' in page
    assert f'value="{emergency.pk}" data-category="{break_fix.pk}"' in page
    response = client.post(
        f"/workspace/tickets/{incident.number}/triage/",
        {
            "version": incident.version,
            "channel": Channel.PORTAL,
            "category": access.pk,
            "priority_code": emergency.pk,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-priority_code"' in html
    assert "choose a code of category 2 – Security access" in html
    incident.refresh_from_db()
    assert (incident.category, incident.priority_code) == (None, None)


def test_a_save_on_an_old_version_is_refused_with_both_values_shown(
    org: Org, client: Client, incident
) -> None:
    url = f"/workspace/tickets/{incident.number}/triage/"
    read = incident.version
    first = {"version": read, "channel": Channel.PORTAL, "impact": "agency", "severity": "outage"}
    assert as_user(Client(), org.network).post(url, first).status_code == 302
    mine = {**first, "impact": "individual", "priority_override_reason": "my words"}
    response = as_user(client, org.desk).post(url, mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale"' in html and "Network" in html  # who changed it
    assert "Agency" in html and "Individual" in html  # now, and what I typed
    assert 'value="my words"' in html  # nothing typed is lost
    incident.refresh_from_db()
    assert incident.impact == "agency" and f'value="{incident.version}"' in html


def test_a_refusal_is_shown_beside_its_field(org: Org, client: Client, incident) -> None:
    response = as_user(client, org.desk).post(
        f"/workspace/tickets/{incident.number}/state/",
        {"version": incident.version, "to": TicketState.RESOLVED, "note": ""},
    )
    assert response.status_code == 400
    assert 'data-testid="error-note"' in response.content.decode()


def test_log_a_call_for_a_caller_found_by_email(org: Org, client: Client) -> None:
    as_user(client, org.desk)
    found = client.get("/workspace/call/callers/", {"q": "colleague@example.org"})
    assert f'value="{org.colleague.pk}"' in found.content.decode()
    response = client.post(
        "/workspace/call/",
        {
            "caller": org.colleague.pk,
            "channel": Channel.WALK_IN,
            "kind": TicketKind.INCIDENT,
            "short_description": "Monitor dead",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/workspace/tickets/{ticket.number}/"
    assert (ticket.requester, ticket.requested_by, ticket.channel) == (
        org.colleague,
        org.desk,
        Channel.WALK_IN,
    )
    refused = client.post("/workspace/call/", {"channel": Channel.PHONE, "kind": "incident"})
    assert refused.status_code == 400 and 'data-testid="error-caller"' in refused.content.decode()


def test_presence_shows_who_else_is_viewing(org: Org, client: Client, incident) -> None:
    url = f"/workspace/tickets/{incident.number}/presence/"
    as_user(Client(), org.network).post(url)
    html = as_user(client, org.desk).post(url).content.decode()
    assert "Also viewing" in html and "Network" in html


def test_bulk_from_a_queue_gives_a_summary(org: Org, client: Client, incident) -> None:
    as_user(client, org.desk)
    response = client.post(
        "/workspace/bulk/",
        {
            "numbers": [incident.number, "INC0000000"],
            "action": "assign",
            "group": org.desk_group.pk,
            "next": "/workspace/queues/new/",
        },
        follow=True,
    )
    assert "Bulk assign: 1 done, 1 not found." in response.content.decode()


def _group_and_staff_lists(captured: CaptureQueriesContext) -> tuple[int, int]:
    sqls = [query["sql"] for query in captured.captured_queries]
    return (
        sum(sql.startswith('SELECT "directory_supportgroup"."id"') for sql in sqls),
        sum('"directory_person"."role" IN' in sql for sql in sqls),
    )


def test_the_ticket_page_reads_its_lists_once_while_the_configuration_stands(
    org: Org, client: Client, incident, django_assert_num_queries
) -> None:
    as_user(client, org.desk)
    url = f"/workspace/tickets/{incident.number}/"
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    assert _group_and_staff_lists(first) == (1, 1)
    with django_assert_num_queries(TICKET_PAGE_QUERIES) as captured:
        page = client.get(url)
    assert _group_and_staff_lists(captured) == (0, 0)
    # A change however made (here a queryset update, which no signal sees) shows at once: in
    # the lists, and in the ticket's own group and requester's agency, which are kept too.
    SupportGroup.objects.filter(pk=org.desk_group.pk).update(name="Front desk")
    Person.objects.filter(pk=org.network.pk).update(first_name="Renamed")
    Agency.objects.filter(people=org.employee).update(name="Office of Renamed Things")
    again = client.get(url).content.decode()
    assert ">Front desk</option>" in again
    assert ">Renamed</option>" in again
    assert f"Requested by {org.employee} (Office of Renamed Things)" in again
    html = page.content.decode()
    # Only the triage form offers the groups on the page; assign, escalate and task are folded
    # and fetched when opened.
    assert html.count(f">{org.desk_group.name}</option>") == 1
    for action in ("assign", "escalate", "task", "state", "redirect"):
        assert f'data-testid="folded-{action}"' in html
        assert f'data-testid="form-{action}"' not in html


def test_the_ticket_page_reads_links_only_for_a_ticket_that_has_some(
    org: Org, client: Client, incident, django_assert_num_queries
) -> None:
    """An ordinary ticket's page reads no links; a linked one lists them both ways, for one
    query more (the desk sees every ticket: those at the other end need no check)."""
    as_user(client, org.desk)
    url = f"/workspace/tickets/{incident.number}/"
    client.get(url)
    cause = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fuse")
    duplicate = ticket_create(
        actor=org.colleague, kind=TicketKind.INCIDENT, short_description="Printer offline too"
    )
    ticket_link(incident, cause, actor=org.desk, kind=LinkKind.RELATED_TO)
    ticket_link(duplicate, incident, actor=org.desk, kind=LinkKind.DUPLICATE_OF)
    with django_assert_num_queries(TICKET_PAGE_QUERIES + 1):
        page = client.get(url).content.decode()
    links = page.split('data-testid="links"')[1].split("</ul>")[0]
    assert cause.number in links and "Related to" in links
    assert duplicate.number in links and "Duplicate of (from)" in links


def test_a_folded_form_is_fetched_with_the_tickets_current_values(
    org: Org, client: Client, incident, django_assert_num_queries
) -> None:
    as_user(client, org.desk)
    url = f"/workspace/tickets/{incident.number}/form/assign/"
    client.get(url)
    # session, user, the configuration's edition, scope, ticket; the groups and staff are kept.
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert 'data-testid="form-assign"' in html and f">{org.desk_group.name}</option>" in html
    assert f'name="version" value="{incident.version}"' in html
    assert 'id="assign-id_group"' in html or 'id="assign-group"' in html
    state = client.get(f"/workspace/tickets/{incident.number}/form/state/").content.decode()
    assert ">In progress</option>" in state and ">Closed</option>" not in state
    # Only the folded forms; and only for staff who may see the ticket.
    assert client.get(f"/workspace/tickets/{incident.number}/form/comment/").status_code == 404
    assert as_user(Client(), org.employee).get(url).status_code == 404


def test_a_ticket_page_reads_its_calendars_closures_once_for_all_its_clocks(
    org: Org, client: Client, incident, django_assert_num_queries
) -> None:
    calendar = BusinessCalendar.objects.create(
        name="Office hours",
        time_zone="America/Chicago",
        weekly_hours={str(day): [["07:00", "17:00"]] for day in range(5)},
    )
    clocks = TicketClock.objects.filter(ticket=incident)
    assert clocks.count() >= 2
    for row in clocks:  # each counts eight business hours from its start on the calendar
        counting = Clock(Target.duration(8 * 3600), engine_calendar(calendar), row.started_at)
        row.calendar, row.state, row.record = calendar, ClockState.RUNNING, counting.to_dict()
        row.save()
    as_user(client, org.desk)
    client.get(f"/workspace/tickets/{incident.number}/")
    # The calendar's closures are read with the first page, then kept like the calendar.
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        client.get(f"/workspace/tickets/{incident.number}/")


def test_a_folded_form_with_an_error_comes_back_open_with_what_was_typed(
    org: Org, client: Client, incident
) -> None:
    as_user(client, org.desk)
    response = client.post(
        f"/workspace/tickets/{incident.number}/task/",
        {"group": org.desk_group.pk, "short_description": "", "description": "Swap the toner"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    # On the page itself, its details open, the error beside the field, the text kept.
    assert 'data-testid="form-task"' in html and 'data-testid="folded-task"' not in html
    assert 'data-testid="error-short_description"' in html and "Swap the toner" in html
    assert '<details class="mb-2" open><summary>Task for another team' in html
    # The other folded forms stay folded.
    assert 'data-testid="folded-assign"' in html
