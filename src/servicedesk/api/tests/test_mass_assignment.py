"""A requester's token cannot triage, reassign, move or re-own tickets; nothing changes."""

from __future__ import annotations

import pytest

from servicedesk.conftest import Org
from servicedesk.tickets.models import Ticket, TicketHistory


@pytest.fixture
def own_number(org: Org, api_as) -> str:
    filed = api_as(org.employee).post(
        "/tickets", {"kind": "incident", "short_description": "Monitor flickers"}
    )
    return str(filed.json()["number"])


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"priority": "p1"}, 403),
        ({"impact": "multi_agency", "severity": "outage"}, 403),
        ({"assignment_group": "GROUP"}, 403),
        ({"assignee": "DESK"}, 403),
        ({"requester": "STRANGER"}, 403),
        ({"state": "resolved"}, 422),
        ({"channel": "phone"}, 422),
        ({"requested_by": "COLLEAGUE"}, 422),
    ],
)
def test_a_requester_cannot_file_with_the_desks_fields(
    org: Org, api_as, extra: dict[str, object], status: int
) -> None:
    ids = {
        "GROUP": org.network_group.pk,
        "DESK": org.desk.pk,
        "COLLEAGUE": org.colleague.pk,
        "STRANGER": org.stranger.pk,
    }
    body = {name: ids.get(str(value), value) for name, value in extra.items()}
    response = api_as(org.employee).post(
        "/tickets", {"kind": "incident", "short_description": "Me first", **body}
    )
    assert response.status_code == status, response.content
    assert response.json()["field"] == next(iter(extra))
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"priority": "p1", "priority_override_reason": "urgent for me"},
        {"impact": "agency"},
        {"service": "SERVICE"},
        {"requester": "COLLEAGUE"},
        {"state": "closed"},
        {"assignment_group": "GROUP"},
        {"assignee": "DESK"},
        {"version": 1, "number": "INC0000001"},
    ],
)
def test_a_requester_cannot_patch_the_desks_fields(
    org: Org, api_as, own_number: str, change: dict[str, object]
) -> None:
    ids = {
        "GROUP": org.network_group.pk,
        "DESK": org.desk.pk,
        "COLLEAGUE": org.colleague.pk,
        "SERVICE": org.service.pk,
    }
    before = Ticket.objects.values().get(number=own_number)
    body = {"version": 1, **{name: ids.get(str(value), value) for name, value in change.items()}}
    response = api_as(org.employee).patch(f"/tickets/{own_number}", body)
    assert response.status_code in (403, 422), response.content
    assert Ticket.objects.values().get(number=own_number) == before
    assert TicketHistory.objects.filter(ticket__number=own_number).count() == 1


def test_a_requester_may_reword_their_own_ticket(org: Org, api_as, own_number: str) -> None:
    response = api_as(org.employee).patch(
        f"/tickets/{own_number}", {"description": "Only on the left screen"}, if_match='"1"'
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "Only on the left screen"
    assert response.json()["version"] == 2


def test_a_requester_cannot_assign_or_work_their_ticket(org: Org, api_as, own_number: str) -> None:
    employee = api_as(org.employee)
    assigned = employee.post(f"/tickets/{own_number}/assign", {"group": org.desk_group.pk})
    worked = employee.post(f"/tickets/{own_number}/transition", {"to": "in_progress"})
    linked = employee.post(
        f"/tickets/{own_number}/links", {"target": own_number, "kind": "related_to"}
    )
    assert [assigned.status_code, worked.status_code, linked.status_code] == [403, 403, 403]
    assert Ticket.objects.get(number=own_number).state == "new"
    withdrawn = employee.post(
        f"/tickets/{own_number}/transition", {"to": "cancelled", "note": "Works after reboot"}
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "cancelled"
