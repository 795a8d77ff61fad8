"""The school district's work discipline as reads: overdue work comes before scheduled work.

Scheduled work is planned project work (the school district's SLA procedure, its scheduled
maintenance category): a category flagged `is_scheduled_work`, whatever its name. It has no SLA,
so it would otherwise sit forever at the end or jump the queue."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, Case, F, Q, Value, When
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.tickets.scheduled_work import (
    is_scheduled_work,
    overdue_count_in_group,
    scheduled_condition,
)
from servicedesk.tickets.workflow import PAUSED_STATES

__all__ = ["is_scheduled_work", "next_ticket_for", "overdue_count_in_group", "scheduled_condition"]


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
