from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.catalog.models import Category, PriorityCode, RequestTypeField
from servicedesk.demo.organisation import DEMO_LOGINS
from servicedesk.directory.models import Location, Person, SupportGroup
from servicedesk.sla.models import CalendarClosure
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket, TicketHistory


def _counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "groups": SupportGroup.objects.count(),
        "tickets": Ticket.objects.count(),
        "history": TicketHistory.objects.count(),
        "codes": PriorityCode.objects.count(),
        "closures": CalendarClosure.objects.count(),
        "questions": RequestTypeField.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_loads_once_and_a_second_run_changes_nothing() -> None:
    call_command("load_demo", stdout=StringIO())
    first = _counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == first
    assert "already present" in out.getvalue()

    assert 55 <= first["tickets"] <= 70
    # The catalog offers request types with their own questions, a conditional one among them.
    reset_questions = RequestTypeField.objects.filter(request_type__slug="password-reset")
    assert reset_questions.filter(shown_when__isnull=False).exists()
    assert first["questions"] >= 10
    assert {login.username for login in DEMO_LOGINS} <= set(
        Person.objects.values_list("username", flat=True)
    )
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("kind", flat=True)) == set(TicketKind.values)
    states = set(tickets.values_list("state", flat=True))
    assert {
        TicketState.NEW,
        TicketState.IN_PROGRESS,
        TicketState.RESOLVED,
        TicketState.CLOSED,
        TicketState.REDIRECTED,
    } <= states
    assert len(set(tickets.values_list("channel", flat=True))) >= len(Channel) - 1
    assert len(set(tickets.exclude(priority="").values_list("priority", flat=True))) == 4
    networks = set(Location.objects.values_list("network", flat=True))
    assert networks == {"state_fiber", "remote"}
    assert Category.objects.get(number=1).codes.get(code=5).has_sla is False
    assert CalendarClosure.objects.filter(name__contains="Thanksgiving").exists()
