"""SLA clocks for generated tickets, as the desk's own services would have left them.

Each ticket gets the clocks `sla.services.clocks_start` would start (the same chart of rules and
priority codes, the same calendars, the SLA engine computing every due time), then moved along as
the ticket's state says: responded to, acknowledged and categorised soon after it arrived unless
it is still new, paused while awaiting the customer or a vendor, stopped when resolved,
cancelled when withdrawn or sent elsewhere, and observed now, so an overdue running clock carries
its breach as the periodic sweep would have recorded it.

The engine costs about half a millisecond a ticket, which at a million tickets would be most of
the fill: clocks are written for the open tickets and for those that arrived in the last
`CLOCK_HISTORY` only. No daily page reads the clocks of tickets finished before then (the reports'
dashboard looks back 28 days); their absence is the difference from a real desk's database.
Clock events (the audit trail of each clock) are not written, like intermediate history entries.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from servicedesk.directory.models import Location
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import Metric
from servicedesk.sla.engine import Calendar, Clock
from servicedesk.sla.models import BusinessCalendar, TicketClock
from servicedesk.sla.rules import chart_for, decide, target_of, ticket_facts
from servicedesk.sla.services import RETARGETED_METRICS, calendar_for, copy_clock
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import PAUSED_STATES

CLOCK_HISTORY = timedelta(days=120)
# How far into a ticket's life its first response, acknowledgement and categorisation came.
FIRST_TOUCH_SHARE = 0.05
WITHDRAWN = frozenset({TicketState.CANCELLED, TicketState.REDIRECTED})


class ClockPlanner:
    """Reads the SLA chart, calendars and locations once; then plans clocks in memory."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.since = now - CLOCK_HISTORY
        self.chart = chart_for()
        self.locations = {location.pk: location for location in Location.objects.all()}
        default = BusinessCalendar.objects.filter(
            name=settings.SERVICEDESK_DEFAULT_CALENDAR
        ).first()
        self.default_calendar = default
        self.engines: dict[int | None, Calendar] = {}

    def wanted(self, ticket: Ticket) -> bool:
        still_open = ticket.resolved_at is None and ticket.closed_at is None
        return still_open or ticket.created_at >= self.since

    def clocks(self, ticket: Ticket) -> list[TicketClock]:
        """The ticket's clocks (unsaved, ticket_id set), or none when it is out of scope."""
        if not self.wanted(ticket):
            return []
        if ticket.location_id is not None:  # read by the rules (network) and calendar_for
            ticket.location = self.locations[ticket.location_id]
        facts = ticket_facts(ticket, uncategorized_at_arrival=ticket.category_id is None)
        rows = []
        for metric in Metric:
            decision = decide(self.chart, metric, facts)
            source = decision.source
            if (source is None or decision.no_clock) and metric not in RETARGETED_METRICS:
                continue
            calendar = calendar_for(source, ticket, lambda: self.default_calendar)
            clock = Clock(target_of(source), self._engine(calendar), ticket.created_at)
            self._follow(clock, ticket, metric)
            row = TicketClock(
                ticket_id=ticket.pk,
                metric=metric,
                rule=decision.rule,
                calendar=calendar,
                target_label=decision.label,
                started_at=ticket.created_at,
            )
            copy_clock(row, clock)
            rows.append(row)
        return rows

    def _engine(self, calendar: BusinessCalendar | None) -> Calendar:
        key = calendar.pk if calendar else None
        if key not in self.engines:
            self.engines[key] = engine_calendar(calendar)
        return self.engines[key]

    def _follow(self, clock: Clock, ticket: Ticket, metric: Metric) -> None:
        """Move the clock as the ticket's life so far would have."""
        end = ticket.closed_at or ticket.resolved_at or ticket.updated_at
        if ticket.state in WITHDRAWN:
            clock.cancel(end)
            return
        if metric != Metric.RESOLUTION and ticket.state != TicketState.NEW:
            clock.stop(ticket.created_at + (end - ticket.created_at) * FIRST_TOUCH_SHARE)
            return
        if ticket.resolved_at is not None:
            clock.stop(ticket.resolved_at)
            return
        if ticket.state in PAUSED_STATES:
            clock.pause(ticket.updated_at)
        clock.observe(self.now)
