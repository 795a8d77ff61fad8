"""The migration that moves the school district's chart from the rule list onto the priority codes
gives every open ticket of the demo the same due times as before.

"Before" is the shape the previous release stored: one SLA rule per priority code, at the top of
the resolution list. The test rebuilds it from the demo, gives open tickets codes of their
category, asks the chart for each open clock's target and due time, runs the migration's own
function, and asks again."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from servicedesk.catalog.models import Category, PriorityCode, PriorityCodeTarget
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import SlaRule, TicketClock
from servicedesk.sla.rules import chart_for, decide, target_of, ticket_facts
from servicedesk.sla.services import RETARGETED_METRICS, calendar_for, load_clock
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_update
from servicedesk.tickets.workflow import OPEN_STATES

MIGRATION = import_module("servicedesk.sla.migrations.0008_move_the_chart_onto_codes")
CATALOG_MIGRATION = import_module("servicedesk.catalog.migrations.0006_code_carries_its_sla")

Planned = dict[tuple[str, str], tuple[str, datetime | None]]


def _as_the_previous_release_stored_it() -> int:
    """Each code's targets back into rules naming only the code, first in their metric's list."""
    moved = 0
    for metric in Metric:
        targets = PriorityCodeTarget.objects.filter(metric=metric).order_by(
            "priority_code__category__number", "priority_code__code"
        )
        if not targets:
            continue
        rules = SlaRule.objects.filter(metric=metric).order_by("-position")
        for rule in rules:  # from the bottom, so no two share a position on the way
            SlaRule.objects.filter(pk=rule.pk).update(position=rule.position + 10_000)
        for n, target in enumerate(targets, start=1):
            SlaRule.objects.create(
                metric=metric,
                position=n * 10,
                name=f"District chart code {target.priority_code_id}",
                priority_code=target.priority_code,
                target_kind=target.target_kind,
                minutes=target.minutes,
                days=target.days,
                cutoff=target.cutoff,
                calendar=target.calendar,
            )
            moved += 1
    PriorityCodeTarget.objects.all().delete()
    return moved


def _planned(at: datetime) -> Planned:
    """Each open ticket's response and resolution clock replanned on the chart as it is now."""
    planned: Planned = {}
    open_clocks = TicketClock.objects.filter(
        ticket__state__in=OPEN_STATES,
        metric__in=RETARGETED_METRICS,
        state__in=[ClockState.RUNNING, ClockState.PAUSED],
    ).select_related("ticket__location", "calendar")
    for row in open_clocks:
        ticket = row.ticket
        chart = chart_for([ticket.priority_code_id])
        facts = ticket_facts(ticket, uncategorized_at_arrival=False)
        source = decide(chart, row.metric, facts).source
        clock = load_clock(row)
        clock.retarget(at, target_of(source), engine_calendar(calendar_for(source, ticket)))
        planned[(ticket.number, row.metric)] = (str(target_of(source)), clock.due_at)
    return planned


@pytest.mark.django_db
def test_moving_the_chart_onto_the_codes_keeps_every_open_due_time() -> None:
    call_command("load_demo", stdout=StringIO())
    assert _as_the_previous_release_stored_it() >= 30
    desk = Ticket.objects.filter(requested_by__role="agent").first()
    assert desk is not None
    for ticket in Ticket.objects.filter(state__in=OPEN_STATES, category__isnull=False):
        if ticket.priority_code_id is None:
            code = PriorityCode.objects.filter(category=ticket.category).first()
            ticket_update(
                ticket, actor=desk.requested_by, version=None, changes={"priority_code": code}
            )
    at = timezone.now() + timedelta(minutes=1)
    before = _planned(at)
    coded = {
        number
        for (number,) in Ticket.objects.filter(priority_code__isnull=False).values_list("number")
    }
    assert len({number for number, _metric in before} & coded) >= 5

    MIGRATION.move_chart_onto_codes(apps)

    assert not SlaRule.objects.filter(priority_code__isnull=False).exists()
    assert PriorityCodeTarget.objects.count() == PriorityCode.objects.count()
    after = _planned(at)
    assert after == before
    due = [planned for planned in before.values() if planned[1] is not None]
    assert len(due) >= 10


@pytest.mark.django_db
def test_the_scheduled_maintenance_category_becomes_scheduled_work_by_flag() -> None:
    planned = Category.objects.create(number=5, name="Scheduled maintenance")
    other = Category.objects.create(number=1, name="Break fix")
    CATALOG_MIGRATION.flag_scheduled_work(apps, None)
    planned.refresh_from_db()
    other.refresh_from_db()
    assert (planned.is_scheduled_work, other.is_scheduled_work) == (True, False)
