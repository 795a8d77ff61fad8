"""Declaring a major incident, attaching reports, who is told, and the live scope."""

from __future__ import annotations

import pytest

from servicedesk.api.models import MonitoredResource
from servicedesk.api.monitoring import EventState, MonitoringEvent, monitoring_event_receive
from servicedesk.notifications.models import Notification, OutboundEmail
from servicedesk.outages.choices import StatusKind
from servicedesk.outages.errors import MajorIncidentError, MajorIncidentErrorCode
from servicedesk.outages.major import (
    major_incident_attach,
    major_incident_declare,
    major_incident_declare_from_outage,
)
from servicedesk.outages.major_selectors import attach_candidates, children_of, major_scope
from servicedesk.outages.models import MajorIncident, StatusEntry
from servicedesk.outages.services import status_entry_declare
from servicedesk.outages.tests.major_fixtures import World, report
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import TicketHistory
from servicedesk.tickets.services import (
    task_create,
    ticket_create,
    ticket_mark_duplicate,
    ticket_transition,
)

pytestmark = pytest.mark.django_db


def declare(world: World, *, with_children: bool = True) -> MajorIncident:
    parent, *children = world.reports
    return major_incident_declare(
        parent,
        actor=world.org.desk,
        public_message="Case search is down; we are on it.",
        children=children if with_children else [],
    )


def code_of(call: object) -> MajorIncidentErrorCode:
    with pytest.raises(MajorIncidentError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code


def test_declaring_posts_the_outage_attaches_the_reports_and_tells_the_team(world: World) -> None:
    major = declare(world)

    entry = major.status_entry
    assert entry is not None and entry.incident_id == major.ticket_id
    assert entry.kind == StatusKind.OUTAGE and entry.resolved_at is None
    assert set(children_of(major)) == set(world.reports[1:])
    told = {n.recipient for n in Notification.objects.filter(title__contains="Major incident")}
    assert told == {world.desk_lead, world.manager, world.on_call}
    mailed = set(
        OutboundEmail.objects.filter(event="major_incident.declared").values_list(
            "to_address", flat=True
        )
    )
    assert mailed == {"desklead@example.org", "appmanager@example.org", "oncall@example.org"}
    notified = TicketHistory.objects.get(ticket=major.ticket, action="major.notify")
    assert (
        "Service Desk Lead" in notified.after
        and "on call for Application Support" in notified.after
    )


def test_scope_counts_channels_agencies_people_and_dependent_services(world: World) -> None:
    major = declare(world)

    scope = major_scope(major)

    assert scope.tickets == 3
    counts = {row.label: row.count for row in scope.by_channel}
    assert counts["Phone"] == 1 and counts["Email"] == 1 and counts["Portal"] == 1
    assert counts["Voicemail"] == 0 and counts["Monitoring"] == 0
    # The employee filed two of the three reports: two people, not three.
    assert scope.people == 2
    assert scope.agencies == ["Service Oklahoma"]
    assert [s.name for s in scope.related_services] == ["Warrant Notifications"]


def test_declaring_a_closed_ticket_is_refused_and_changes_nothing(world: World) -> None:
    parent = world.reports[0]
    ticket_transition(
        parent, actor=world.org.desk, version=None, to=TicketState.CANCELLED, note="Oops"
    )
    parent.refresh_from_db()

    code = code_of(lambda: declare(world))

    assert code == MajorIncidentErrorCode.TICKET_NOT_OPEN
    assert not MajorIncident.objects.exists()
    assert not StatusEntry.objects.exists()
    assert not OutboundEmail.objects.filter(event__startswith="major").exists()


def test_attaching_a_ticket_the_agent_cannot_see_is_refused_and_attaches_none(
    world: World,
) -> None:
    org = world.org
    major = declare(world, with_children=False)
    org.desk_group.agencies.add(org.agency)  # the desk now serves one agency only
    desk = type(org.desk).objects.get(pk=org.desk.pk)
    # Filed by the network team for another agency, in the network team's queue.
    hidden = ticket_create(
        actor=org.network,
        requester=org.stranger,
        kind=TicketKind.INCIDENT,
        short_description="Case search broken",
        service=world.service,
        assignment_group=org.network_group,
    )

    code = code_of(lambda: major_incident_attach(major, [world.reports[1], hidden], actor=desk))

    assert code == MajorIncidentErrorCode.NOT_VISIBLE
    assert not children_of(major).exists()
    assert hidden not in attach_candidates(desk, major.ticket)


def test_child_incidents_do_not_block_resolving_the_parent_but_tasks_do(world: World) -> None:
    org = world.org
    major = declare(world)
    task = task_create(
        major.ticket, actor=org.desk, group=org.network_group, short_description="Restart"
    )

    with pytest.raises(TicketError) as refused:
        ticket_transition(
            major.ticket, actor=org.desk, version=None, to=TicketState.RESOLVED, note="Fixed"
        )
    assert task.number in refused.value.message
    for child in world.reports[1:]:
        assert child.number not in refused.value.message

    ticket_transition(task, actor=org.network, version=None, to=TicketState.RESOLVED, note="Done")
    resolved = ticket_transition(
        major.ticket, actor=org.desk, version=None, to=TicketState.RESOLVED, note="Fixed"
    )
    assert resolved.state == TicketState.RESOLVED


def test_a_marked_duplicate_counts_in_the_scope(world: World) -> None:
    org = world.org
    major = declare(world, with_children=False)
    extra = report(org, world.service, org.colleague, Channel.WALK_IN, "Case search?")

    ticket_mark_duplicate(extra, major.ticket, actor=org.desk, version=None)

    counts = {row.label: row.count for row in major_scope(major).by_channel}
    assert counts["Walk-in"] == 1


def test_a_repeated_monitoring_event_attaches_its_incident(world: World) -> None:
    org = world.org
    MonitoredResource.objects.create(pattern="case-db-*", service=world.service)
    event = MonitoringEvent("nagios", "case-db-1", "db", EventState.PROBLEM, "down")
    opened = monitoring_event_receive(event, actor=org.desk)
    major = declare(world, with_children=False)
    assert opened.alert is not None and opened.alert.ticket not in children_of(major)

    monitoring_event_receive(event, actor=org.desk)

    assert opened.alert.ticket in children_of(major)


def test_declaring_from_an_outage_links_its_incident(world: World) -> None:
    org = world.org
    entry = status_entry_declare(
        actor=org.desk,
        service=world.service,
        kind=StatusKind.OUTAGE,
        title="Case search unavailable",
        message="We know.",
    )

    major = major_incident_declare_from_outage(entry, actor=org.desk)

    entry.refresh_from_db()
    assert major.status_entry == entry and entry.incident == major.ticket
    assert major.ticket.service == world.service
