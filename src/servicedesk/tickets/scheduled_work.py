"""Scheduled work as reads: which tickets are planned project work (a category flagged
`is_scheduled_work`, whatever its name), and how much overdue work waits in a group."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from servicedesk.directory.models import SupportGroup
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES


def is_scheduled_work(ticket: Ticket) -> bool:
    return bool(ticket.category and ticket.category.is_scheduled_work)


def scheduled_condition() -> Q:
    """The tickets that are scheduled work, as a filter."""
    return Q(category__is_scheduled_work=True)


def overdue_count_in_group(group: SupportGroup | None, now: datetime | None = None) -> int:
    """How many open tickets of `group` have a resolution clock running past its due time.

    Not scoped to whoever asks, and so a count, never the tickets: it feeds the rule that
    scheduled work waits for overdue work, which binds a lead whose own scope is narrower than
    the group's work just the same."""
    now = now or timezone.now()
    # The copy of its running resolution clock's due time beside the ticket (sla/resolution_due.py).
    return Ticket.objects.filter(
        assignment_group=group, state__in=OPEN_STATES, queue_order__resolution_due_at__lt=now
    ).count()
