import pytest
from django.db import DatabaseError, connection, transaction

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import Category, PriorityCode, Service
from servicedesk.conftest import Org
from servicedesk.core.models import AppendOnlyError
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import TicketHistory
from servicedesk.tickets.services import (
    ticket_assign,
    ticket_create,
    ticket_set_affected,
    ticket_transition,
    ticket_update,
)


def test_every_field_change_appears_in_history_with_before_and_after(org: Org) -> None:
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Old text",
        channel=Channel.PHONE,
    )
    category = Category.objects.create(number=1, name="Break fix")
    code = PriorityCode.objects.create(category=category, code=1, name="Emergency")
    email = Service.objects.create(name="Email", default_group=org.desk_group)
    changes = {
        "short_description": "New text",
        "description": "More detail",
        "channel": Channel.EMAIL,
        "agency": org.other_agency,
        "location": org.remote,
        "service": email,
        "category": category,
        "priority_code": code,
        "request_type": org.password_reset,
        "impact": Impact.AGENCY,
        "severity": Severity.OUTAGE,
        "requester": org.colleague,
    }
    ticket = ticket_update(ticket, actor=org.desk, version=ticket.version, changes=changes)
    ticket = ticket_assign(
        ticket,
        actor=org.desk,
        version=ticket.version,
        group=org.network_group,
        assignee=org.network,
    )
    ticket = ticket_transition(
        ticket, actor=org.network, version=ticket.version, to=TicketState.IN_PROGRESS
    )
    ticket_set_affected(ticket, actor=org.desk, people=[org.colleague, org.stranger])

    entries = {e.field: e for e in TicketHistory.objects.filter(ticket=ticket)}
    for field in [*changes, "priority", "assignment_group", "assignee", "state", "affected_people"]:
        assert field in entries, f"no history for {field}"
    assert entries["short_description"].before == "Old text"
    assert entries["short_description"].after == "New text"
    assert entries["short_description"].actor == org.desk
    assert entries["state"].after == TicketState.IN_PROGRESS
    assert entries["state"].actor == org.network
    assert entries["priority"].after == "p1"
    assert entries["affected_people"].after == "colleague, stranger"


def test_history_entries_cannot_be_edited_or_deleted(org: Org) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    entry = TicketHistory.objects.filter(ticket=ticket).first()
    assert entry is not None
    entry.after = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        TicketHistory.objects.filter(ticket=ticket).update(after="forged")
    with pytest.raises(AppendOnlyError):
        TicketHistory.objects.filter(ticket=ticket).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TicketHistory._meta.db_table} SET after = 'forged' WHERE id = %s",
            [entry.pk],
        )
    assert TicketHistory.objects.get(pk=entry.pk).after == ticket.number
