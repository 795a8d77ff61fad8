import pytest

from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.errors import StaleTicketError, TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import (
    ticket_assign,
    ticket_create,
    ticket_transition,
    ticket_update,
)
from servicedesk.tickets.workflow import ALLOWED_TRANSITIONS


def new_incident(org: Org, requester: Person | None = None, **extra) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=requester or org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Cannot reach the licensing app",
        channel=Channel.PHONE,
        **extra,
    )


def test_numbers_carry_the_kind_prefix_and_count_per_kind(org: Org) -> None:
    first = new_incident(org)
    second = new_incident(org)
    request = ticket_create(actor=org.employee, kind=TicketKind.REQUEST, short_description="Mouse")
    problem = ticket_create(
        actor=org.lead, requester=org.lead, kind=TicketKind.PROBLEM, short_description="Root"
    )
    task = ticket_create(
        actor=org.desk, requester=org.employee, kind=TicketKind.TASK, short_description="Do"
    )
    assert first.number == "INC0001001"
    assert second.number == "INC0001002"
    assert request.number == "REQ0001001"
    assert problem.number == "PRB0001001"
    assert task.number == "TASK0001001"


def test_an_illegal_transition_is_refused_and_nothing_changes(org: Org) -> None:
    ticket = new_incident(org)
    history_before = TicketHistory.objects.filter(ticket=ticket).count()
    with pytest.raises(TicketError) as refused:
        ticket_transition(ticket, actor=org.desk, version=ticket.version, to=TicketState.CLOSED)
    assert refused.value.code == TicketErrorCode.ILLEGAL_TRANSITION
    assert refused.value.message == (f"{ticket.number} is new; it cannot move to closed.")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.state, stored.version) == (TicketState.NEW, ticket.version)
    assert TicketHistory.objects.filter(ticket=ticket).count() == history_before


@pytest.mark.parametrize("state", list(TicketState))
def test_final_states_allow_nothing_and_others_allow_something(state: TicketState) -> None:
    final = state in {TicketState.CLOSED, TicketState.CANCELLED, TicketState.REDIRECTED}
    assert (len(ALLOWED_TRANSITIONS[state]) == 0) == final


def test_resolving_needs_a_note_and_then_records_it(org: Org) -> None:
    ticket = new_incident(org)
    with pytest.raises(TicketError) as refused:
        ticket_transition(ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED)
    assert refused.value.code == TicketErrorCode.NOTE_REQUIRED
    ticket = ticket_transition(
        ticket,
        actor=org.desk,
        version=ticket.version,
        to=TicketState.RESOLVED,
        note="Restarted the service",
    )
    assert ticket.state == TicketState.RESOLVED
    assert ticket.resolved_at is not None
    assert ticket.resolution_note == "Restarted the service"


def test_requester_confirms_or_disputes_a_resolution_but_cannot_work_the_ticket(org: Org) -> None:
    ticket = new_incident(org)
    with pytest.raises(TicketError) as refused:
        ticket_transition(
            ticket, actor=org.employee, version=ticket.version, to=TicketState.IN_PROGRESS
        )
    assert refused.value.code == TicketErrorCode.NOT_PERMITTED
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Fixed"
    )
    disputed = ticket_transition(
        ticket,
        actor=org.employee,
        version=ticket.version,
        to=TicketState.IN_PROGRESS,
        note="Still broken after lunch",
    )
    assert disputed.state == TicketState.IN_PROGRESS
    assert disputed.resolved_at is None
    assert disputed.history.filter(field="note", after="Still broken after lunch").exists()


def test_redirecting_to_another_help_desk_needs_the_desk(org: Org) -> None:
    ticket = new_incident(org)
    with pytest.raises(TicketError) as refused:
        ticket_transition(ticket, actor=org.desk, version=ticket.version, to=TicketState.REDIRECTED)
    assert refused.value.code == TicketErrorCode.HELP_DESK_REQUIRED
    ticket = ticket_transition(
        ticket,
        actor=org.desk,
        version=ticket.version,
        to=TicketState.REDIRECTED,
        help_desk=org.other_desk,
    )
    assert ticket.state == TicketState.REDIRECTED
    assert ticket.redirected_to == org.other_desk
    assert "(405) 555-0101" in org.other_desk.contact_card()


def test_a_stale_update_is_refused_and_the_newer_data_kept(org: Org) -> None:
    ticket = new_incident(org)
    read_by_alice = Ticket.objects.get(pk=ticket.pk)
    read_by_bob = Ticket.objects.get(pk=ticket.pk)
    ticket_update(
        read_by_alice,
        actor=org.desk,
        version=read_by_alice.version,
        changes={"short_description": "Licensing app down for the whole office"},
    )
    with pytest.raises(StaleTicketError) as refused:
        ticket_update(
            read_by_bob,
            actor=org.network,
            version=read_by_bob.version,
            changes={"short_description": "Bob's older idea"},
        )
    assert refused.value.code == TicketErrorCode.STALE_VERSION
    assert refused.value.current_version == read_by_bob.version + 1
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.short_description == "Licensing app down for the whole office"
    assert stored.version == ticket.version + 1


def test_assigning_moves_a_new_ticket_to_assigned_and_checks_membership(org: Org) -> None:
    ticket = new_incident(org)
    with pytest.raises(TicketError) as refused:
        ticket_assign(
            ticket,
            actor=org.desk,
            version=ticket.version,
            group=org.network_group,
            assignee=org.desk,
        )
    assert refused.value.code == TicketErrorCode.ASSIGNEE_NOT_IN_GROUP
    ticket = ticket_assign(
        ticket,
        actor=org.desk,
        version=ticket.version,
        group=org.network_group,
        assignee=org.network,
    )
    assert (ticket.state, ticket.assignment_group, ticket.assignee) == (
        TicketState.ASSIGNED,
        org.network_group,
        org.network,
    )


def test_a_requester_cannot_set_the_desks_fields(org: Org) -> None:
    with pytest.raises(TicketError) as refused:
        ticket_create(
            actor=org.employee,
            kind=TicketKind.INCIDENT,
            short_description="x",
            assignment_group=org.network_group,
        )
    assert refused.value.code == TicketErrorCode.NOT_PERMITTED
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    with pytest.raises(TicketError):
        ticket_update(
            ticket,
            actor=org.employee,
            version=ticket.version,
            changes={"priority": "p1", "priority_override_reason": "me first"},
        )
    with pytest.raises(TicketError) as on_behalf:
        ticket_create(
            actor=org.employee,
            requester=org.stranger,
            kind=TicketKind.INCIDENT,
            short_description="for someone of another agency",
        )
    assert on_behalf.value.field == "requester"
    assert Ticket.objects.get(pk=ticket.pk).priority == ""


def test_an_agent_files_on_behalf_of_a_caller(org: Org) -> None:
    ticket = new_incident(org, requester=org.colleague)
    assert ticket.requester == org.colleague
    assert ticket.requested_by == org.desk
    assert ticket.location == org.remote
    assert ticket.agency == org.agency
    assert ticket.channel == Channel.PHONE


def test_choosing_a_service_proposes_its_group(org: Org) -> None:
    ticket = new_incident(org, service=org.service)
    assert ticket.assignment_group == org.network_group
    assert ticket.state == TicketState.NEW
