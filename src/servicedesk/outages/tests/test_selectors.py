"""The home line, the status board, and what "Is this your issue?" may offer whom."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicedesk.catalog.choices import Impact
from servicedesk.catalog.models import Service
from servicedesk.conftest import Org
from servicedesk.outages.choices import StatusKind
from servicedesk.outages.deflection import deflection_for, search_words
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.selectors import status_board
from servicedesk.outages.services import status_entry_declare, status_entry_resolve
from servicedesk.outages.tests.conftest import wide_incident
from servicedesk.portal.system_status import current_status
from servicedesk.tickets.access import joinable_incidents
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_transition


def test_all_normal_without_entries(org: Org) -> None:
    status = current_status()
    assert (status.level, status.summary) == ("normal", "All systems normal")


def test_the_home_line_names_the_worst_entry_and_counts_maintenance(
    org: Org, email_outage: StatusEntry, network_maintenance: StatusEntry
) -> None:
    status_entry_declare(
        actor=org.desk,
        service=org.service,
        kind=StatusKind.DEGRADATION,
        title="Slow VPN",
        message="Slow",
    )
    status = current_status()
    assert status.level == "outage"
    since = timezone.localtime(email_outage.starts_at)
    assert status.summary.startswith("Email and calendar: outage since ")
    assert f"{since:%H:%M}" in status.summary
    assert "Network: degraded since" in status.summary
    assert status.summary.endswith("1 planned maintenance this week")


def test_maintenance_in_progress_is_degraded_and_resolved_entries_are_gone(
    org: Org, email_outage: StatusEntry, network_maintenance: StatusEntry
) -> None:
    status_entry_resolve(email_outage, actor=org.desk)
    during = network_maintenance.starts_at + timedelta(minutes=5)
    status = current_status(during)
    assert status.level == "degraded"
    start = timezone.localtime(network_maintenance.starts_at)
    assert status.summary == f"Network: maintenance since {start:%H:%M}"


def test_the_board_groups_current_entries_and_keeps_history(
    org: Org, email: Service, email_outage: StatusEntry, network_maintenance: StatusEntry
) -> None:
    old = status_entry_declare(
        actor=org.desk,
        service=email,
        kind=StatusKind.DEGRADATION,
        title="Spam filter slow",
        message="Slow",
        starts_at=timezone.now() - timedelta(days=3),
    )
    status_entry_resolve(old, actor=org.desk, message="Filter replaced")
    board = status_board()
    assert [(s.service.name, [e.title for e in s.entries]) for s in board.current] == [
        ("Email and calendar", ["Email delivery delayed"])
    ]
    assert board.upcoming == [network_maintenance]
    assert board.recent == [old]
    assert board.level == "outage"
    later = status_board(timezone.now() + timedelta(days=10))
    assert later.recent == [network_maintenance, old]
    assert status_board(timezone.now() + timedelta(days=40)).recent == []


def test_search_words_drop_noise() -> None:
    assert search_words("My e-mail is NOT working since 9 am, email!") == ["e-mail", "email"]


def test_an_individual_incident_of_someone_else_is_never_offered(org: Org) -> None:
    personal = wide_incident(org, "Email bounces for me", Impact.INDIVIDUAL)
    assert personal not in joinable_incidents(org.employee)
    assert not deflection_for(org.employee, "email bounces")


def test_agency_incidents_are_offered_within_the_agency_only(org: Org) -> None:
    ours = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Shared drive offline",
        impact=Impact.AGENCY,
        severity="outage",
    )
    theirs = wide_incident(org, "Shared drive offline in Sequoyah", Impact.AGENCY)
    everyone = wide_incident(org, "Shared drive offline statewide", Impact.MULTI_AGENCY)
    offered = deflection_for(org.employee, "shared drive is offline")
    assert {item.ticket for item in offered.incidents} == {ours, everyone}
    assert theirs not in joinable_incidents(org.employee)


def test_closed_and_resolved_incidents_are_not_offered(org: Org) -> None:
    ticket = wide_incident(org, "Printer fleet offline", Impact.MULTI_AGENCY)
    assert ticket in joinable_incidents(org.employee)
    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.RESOLVED, note="Fixed")
    assert ticket not in joinable_incidents(org.employee)
    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.CLOSED)
    assert not deflection_for(org.employee, "printer offline")


def test_a_declared_outage_offers_its_incident_to_everyone(
    org: Org, email_outage: StatusEntry, outage_incident: Ticket
) -> None:
    # Agency-wide in the stranger's agency, but declared: the entry is public anyway.
    assert outage_incident.agency != org.employee.agency
    offered = deflection_for(org.employee, "my email is slow")
    assert [(k.entry, k.incident) for k in offered.known_issues] == [
        (email_outage, outage_incident)
    ]
    assert offered.incidents == []  # not offered twice
    status_entry_resolve(email_outage, actor=org.desk)
    assert outage_incident not in joinable_incidents(org.employee)
    assert not deflection_for(org.employee, "my email is slow")


def test_an_entry_without_an_incident_is_offered_as_known(org: Org) -> None:
    entry = status_entry_declare(
        actor=org.desk, service=org.service, kind=StatusKind.OUTAGE, title="Wi-Fi", message="Down"
    )
    offered = deflection_for(org.employee, "network")
    assert [(k.entry, k.incident) for k in offered.known_issues] == [(entry, None)]
    assert not deflection_for(org.employee, "payroll")
