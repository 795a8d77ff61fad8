"""The school district's work discipline as reads: overdue work comes before scheduled work.

"Scheduled maintenance" is the district chart's category of planned project work (the school
district's SLA procedure, category 5); it has no SLA, so it would otherwise sit forever at the end
or jump the queue."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, Case, F, Q, Value, When
from django.utils import timezone

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.tickets.workflow import OPEN_STATES, PAUSED_STATES

SCHEDULED_CATEGORY_NAME = "Scheduled maintenance"


def is_scheduled_work(ticket: Ticket) -> bool:
    return bool(ticket.category and ticket.category.name.lower() == SCHEDULED_CATEGORY_NAME.lower())


def scheduled_condition() -> Q:
    """The tickets that are scheduled maintenance, as a filter."""
    return Q(category__name__iexact=SCHEDULED_CATEGORY_NAME)


def overdue_count_in_group(group: SupportGroup | None, now: datetime | None = None) -> int:
    """How many open tickets of `group` have a resolution clock running past its due time.

    Not scoped to whoever asks, and so a count, never the tickets: it feeds the rule that
    scheduled work waits for overdue work, which binds a lead whose own scope is narrower than
    the group's work just the same."""
    now = now or timezone.now()
    late = TicketClock.objects.filter(
        metric=Metric.RESOLUTION, state=ClockState.RUNNING, due_at__lt=now
    ).values("ticket_id")
    return Ticket.objects.filter(assignment_group=group, state__in=OPEN_STATES, pk__in=late).count()


def next_ticket_for(viewer: Person, now: datetime | None = None) -> Ticket | None:
    """The "next ticket" button: unassigned work (or mine) in my groups, overdue first, then
    unscheduled work by SLA due time and priority, scheduled maintenance last."""
    now = now or timezone.now()
    candidates = (
        queue_tickets(viewer, Queue.MY_GROUPS, now=now)
        .filter(Q(assignee__isnull=True) | Q(assignee=viewer))
        .exclude(state__in=PAUSED_STATES)
        .annotate(
            overdue=Case(
                When(resolution_due__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            scheduled=Case(
                When(scheduled_condition(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by(
            F("overdue").desc(),
            F("scheduled").asc(),
            F("resolution_due").asc(nulls_last=True),
            F("priority").asc(),
            "created_at",
        )
    )
    return candidates.first()
