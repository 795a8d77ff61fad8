"""The services behind the agent's workspace: triage, tiers, tasks, duplicates, problems."""

from __future__ import annotations

import pytest

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import PriorityMatrixCell
from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import SupportGroup
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.errors import StaleTicketError, TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket, TicketLink
from servicedesk.tickets.services import (
    problem_open_from,
    task_create,
    ticket_create,
    ticket_escalate,
    ticket_mark_duplicate,
    ticket_resolve_to_desk,
    ticket_transition,
    ticket_triage,
)


@pytest.fixture
def lead_group(org: Org) -> SupportGroup:
    group = SupportGroup.objects.create(name="Service Lead", tier=Tier.SERVICE_LEAD)
    group.members.add(org.lead)
    return group


@pytest.fixture
def incident(org: Org) -> Ticket:
    PriorityMatrixCell.objects.get_or_create(
        impact=Impact.AGENCY, severity=Severity.OUTAGE, defaults={"priority": "p1"}
    )
    return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Down")


def actions(ticket: Ticket) -> list[tuple[str, str, str]]:
    return list(ticket.history.values_list("action", "field", "after"))


def test_triage_saves_fields_and_the_services_group_in_one_go(org: Org, incident) -> None:
    triaged = ticket_triage(
        incident,
        actor=org.desk,
        version=incident.version,
        changes={"service": org.service, "impact": Impact.AGENCY, "severity": Severity.OUTAGE},
    )
    assert triaged.priority == "p1"
    assert triaged.assignment_group == org.network_group  # the service's default group
    assert triaged.state == TicketState.ASSIGNED


def test_triage_on_an_old_version_is_refused_whole(org: Org, incident) -> None:
    ticket_triage(
        incident, actor=org.network, version=incident.version, changes={"impact": "agency"}
    )
    with pytest.raises(StaleTicketError):
        ticket_triage(
            incident, actor=org.desk, version=incident.version, changes={"severity": "outage"}
        )
    assert Ticket.objects.get(pk=incident.pk).severity == ""


def test_a_priority_other_than_the_matrix_needs_a_reason(org: Org, incident) -> None:
    with pytest.raises(TicketError) as refused:
        ticket_triage(
            incident,
            actor=org.desk,
            version=None,
            changes={"impact": "agency", "severity": "outage", "priority": "p3"},
        )
    assert refused.value.code == TicketErrorCode.OVERRIDE_REASON_REQUIRED


def test_escalation_climbs_l1_l2_lead_with_reasons_in_history(
    org: Org, incident, lead_group
) -> None:
    ticket_triage(incident, actor=org.desk, version=None, changes={}, group=org.desk_group)
    with pytest.raises(TicketError) as refused:
        ticket_escalate(incident, actor=org.desk, version=None, reason=" ")
    assert refused.value.code == TicketErrorCode.NOTE_REQUIRED
    with pytest.raises(TicketError) as no_group:
        ticket_escalate(incident, actor=org.desk, version=None, reason="Needs L2")
    assert no_group.value.field == "group"  # no service named: the agent picks the L2 team
    l2 = ticket_escalate(
        incident, actor=org.desk, version=None, reason="Switch port", group=org.network_group
    )
    assert l2.assignment_group == org.network_group
    lead = ticket_escalate(l2, actor=org.network, version=l2.version, reason="Vendor needed")
    assert lead.assignment_group == lead_group
    assert ("ticket.escalate", "reason", "Vendor needed") in actions(lead)
    assert ("ticket.escalate", "tier", "Service lead") in actions(lead)
    assert lead.comments.filter(is_internal=True, body__contains="Vendor needed").exists()
    with pytest.raises(TicketError) as top:
        ticket_escalate(lead, actor=org.lead, version=None, reason="More")
    assert top.value.code == TicketErrorCode.ILLEGAL_TRANSITION


def test_l2_resolves_back_to_the_desk_which_closes(org: Org, incident) -> None:
    ticket_triage(incident, actor=org.desk, version=None, changes={}, group=org.desk_group)
    l2 = ticket_escalate(
        incident, actor=org.desk, version=None, reason="Port", group=org.network_group
    )
    back = ticket_resolve_to_desk(l2, actor=org.network, version=l2.version, note="Port reset")
    assert (back.state, back.assignment_group, back.assignee) == (
        TicketState.RESOLVED,
        org.desk_group,
        None,
    )
    closed = ticket_transition(back, actor=org.desk, version=back.version, to=TicketState.CLOSED)
    assert closed.state == TicketState.CLOSED


def test_a_task_for_another_team_blocks_closing_the_parent(org: Org, incident) -> None:
    task = task_create(
        incident, actor=org.desk, group=org.network_group, short_description="Patch the port"
    )
    assert task.kind == TicketKind.TASK and task.assignment_group == org.network_group
    assert TicketLink.objects.filter(source=task, target=incident, kind=LinkKind.CHILD_OF).exists()
    assert task.requester == org.desk  # internal work: not in the employee's portal list
    with pytest.raises(TicketError) as refused:
        ticket_transition(incident, actor=org.desk, version=None, to=TicketState.RESOLVED, note="x")
    assert refused.value.code == TicketErrorCode.OPEN_TASKS


def test_a_duplicate_joins_the_first_report_and_is_cancelled(org: Org, incident) -> None:
    second = ticket_create(actor=org.colleague, kind=TicketKind.INCIDENT, short_description="Down")
    done = ticket_mark_duplicate(second, incident, actor=org.desk, version=second.version)
    assert done.state == TicketState.CANCELLED
    assert incident.affected_people.filter(pk=org.colleague.pk).exists()


def test_a_problem_is_opened_from_an_incident_and_linked(org: Org, incident) -> None:
    problem = problem_open_from(incident, actor=org.desk, short_description="Flaky switch")
    assert problem.kind == TicketKind.PROBLEM
    assert TicketLink.objects.filter(
        source=incident, target=problem, kind=LinkKind.CAUSED_BY
    ).exists()
    with pytest.raises(TicketError):
        problem_open_from(problem, actor=org.desk, short_description="Nested")


def test_employees_cannot_use_the_desk_services(org: Org, incident) -> None:
    with pytest.raises(TicketError):
        ticket_escalate(incident, actor=org.employee, version=None, reason="Please")
    with pytest.raises(TicketError):
        task_create(incident, actor=org.employee, group=org.network_group, short_description="x")
    agent = make_person("agent2", Role.AGENT, org.fiber)
    assert agent.is_staff_member
