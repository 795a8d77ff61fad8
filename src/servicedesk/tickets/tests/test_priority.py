import pytest

from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import PriorityMatrixCell
from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_update

# The state agency's priority matrix in our reading of the damaged table (rows: severity; columns:
# impact).
EXPECTED = {
    (Severity.OUTAGE, Impact.MULTI_AGENCY): Priority.P1,
    (Severity.OUTAGE, Impact.AGENCY): Priority.P1,
    (Severity.OUTAGE, Impact.INDIVIDUAL): Priority.P2,
    (Severity.DEGRADATION, Impact.MULTI_AGENCY): Priority.P1,
    (Severity.DEGRADATION, Impact.AGENCY): Priority.P2,
    (Severity.DEGRADATION, Impact.INDIVIDUAL): Priority.P3,
    (Severity.NO_IMPACT, Impact.MULTI_AGENCY): Priority.P2,
    (Severity.NO_IMPACT, Impact.AGENCY): Priority.P3,
    (Severity.NO_IMPACT, Impact.INDIVIDUAL): Priority.P4,
}


@pytest.mark.parametrize(("severity", "impact"), list(EXPECTED), ids=lambda v: str(v))
def test_matrix_gives_the_priority_of_each_pair(org: Org, severity, impact) -> None:
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Printer down",
        impact=impact,
        severity=severity,
    )
    assert ticket.priority == EXPECTED[(severity, impact)]
    assert ticket.priority_override_reason == ""


def test_an_admin_edit_of_the_matrix_changes_new_tickets(org: Org) -> None:
    PriorityMatrixCell.objects.filter(impact=Impact.INDIVIDUAL, severity=Severity.OUTAGE).update(
        priority=Priority.P1
    )
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Laptop dead",
        impact=Impact.INDIVIDUAL,
        severity=Severity.OUTAGE,
    )
    assert ticket.priority == Priority.P1


def test_overriding_the_matrix_needs_a_reason_and_keeps_it(org: Org) -> None:
    def create(reason: str = "") -> Ticket:
        return ticket_create(
            actor=org.desk,
            requester=org.employee,
            kind=TicketKind.INCIDENT,
            short_description="VIP laptop",
            impact=Impact.INDIVIDUAL,
            severity=Severity.NO_IMPACT,
            priority=Priority.P2,
            priority_override_reason=reason,
        )

    with pytest.raises(TicketError) as refused:
        create()
    assert refused.value.code == TicketErrorCode.OVERRIDE_REASON_REQUIRED
    assert "Priority 4" in refused.value.message
    assert not Ticket.objects.exists()

    ticket = create("Board meeting in one hour")
    assert ticket.priority == Priority.P2
    assert ticket.priority_override_reason == "Board meeting in one hour"


def test_retriage_recomputes_priority_and_records_it(org: Org) -> None:
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Wi-Fi slow",
        impact=Impact.INDIVIDUAL,
        severity=Severity.DEGRADATION,
    )
    assert ticket.priority == Priority.P3
    ticket = ticket_update(
        ticket, actor=org.desk, version=ticket.version, changes={"impact": Impact.MULTI_AGENCY}
    )
    assert ticket.priority == Priority.P1
    changed = set(ticket.history.filter(action="ticket.update").values_list("field", flat=True))
    assert changed == {"impact", "priority"}


def test_a_service_request_takes_its_request_types_priority(org: Org) -> None:
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.REQUEST,
        short_description="Forgot my password",
        request_type=org.password_reset,
    )
    assert ticket.priority == Priority.P1


def test_an_unknown_priority_is_refused_with_its_name(org: Org) -> None:
    with pytest.raises(TicketError) as refused:
        ticket_create(
            actor=org.desk,
            requester=org.employee,
            kind=TicketKind.INCIDENT,
            short_description="x",
            priority="p9",
            priority_override_reason="because",
        )
    assert refused.value.code == TicketErrorCode.INVALID_VALUE
    assert refused.value.field == "priority"
