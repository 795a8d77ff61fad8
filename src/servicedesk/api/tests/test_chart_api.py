"""The API meets the same chart and discipline as the workspace: a priority code of another
category is refused, and scheduled work ahead of overdue work needs a supervisor's reason."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicedesk.catalog.models import Category, PriorityCode
from servicedesk.conftest import Org
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create


def _chart() -> tuple[Category, Category, PriorityCode]:
    break_fix = Category.objects.create(number=1, name="Break fix")
    access = Category.objects.create(number=2, name="Security access")
    emergency = PriorityCode.objects.create(category=break_fix, code=1, name="Emergency")
    PriorityCode.objects.create(category=access, code=3, name="Instructional")
    return break_fix, access, emergency


def test_a_request_in_category_2_with_a_code_of_category_1_is_refused(org: Org, api_as) -> None:
    _break_fix, access, emergency = _chart()
    request = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.REQUEST,
        short_description="Unlock the HAC login",
        channel=Channel.PHONE,
        category=access,
    )
    refused = api_as(org.desk).patch(
        f"/tickets/{request.number}", {"priority_code": emergency.pk, "version": request.version}
    )
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert (body["code"], body["field"]) == ("code_not_in_category", "priority_code")
    assert "belongs to category 1 – Break fix" in body["message"]
    assert Ticket.objects.get(pk=request.pk).priority_code is None

    created = api_as(org.desk).post(
        "/tickets",
        {
            "kind": "request",
            "short_description": "Block a website",
            "category": access.pk,
            "priority_code": emergency.pk,
        },
    )
    assert created.status_code == 422, created.content
    assert created.json()["field"] == "priority_code"


def test_scheduled_work_ahead_of_overdue_work_needs_a_supervisor_in_the_api(
    org: Org, api_as
) -> None:
    late = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Switch down",
        assignment_group=org.network_group,
    )
    TicketClock.objects.filter(ticket=late, metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() - timedelta(hours=1)
    )
    scheduled = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.REQUEST,
        short_description="Lab upgrade",
        category=Category.objects.create(number=5, name="Projects", is_scheduled_work=True),
        assignment_group=org.network_group,
    )
    org.network_group.members.add(org.desk)
    path = f"/tickets/{scheduled.number}/assign"
    refused = api_as(org.desk).post(path, {"assignee": org.desk.pk})
    assert refused.status_code == 403, refused.content
    assert (refused.json()["code"], refused.json()["field"]) == (
        "approval_required",
        "approval_reason",
    )
    approved = api_as(org.network).post(
        path, {"assignee": org.desk.pk, "approval_reason": "Exams on Monday"}
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["assignee"]["id"] == org.desk.pk
