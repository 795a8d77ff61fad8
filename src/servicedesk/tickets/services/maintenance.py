"""Scheduled maintenance (the school district's SLA chart, category 5): "The work is planned as a
project with a defined scheduled completion date" and "Regular follow-up is still required by the
original Technology Services Team assignee, at least once a week, and status update notes be added".

`ticket_plan` sets the planned date; `scheduled_follow_ups_remind` (run hourly by the
scheduler) tells the assignee when a week has gone by without a status note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from servicedesk.directory.choices import STAFF_ROLES
from servicedesk.directory.models import Person
from servicedesk.tickets import history
from servicedesk.tickets.discipline import is_scheduled_work, scheduled_condition
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.events import EventName, TicketEvent, publish
from servicedesk.tickets.models import Comment, Ticket, TicketHistory
from servicedesk.tickets.services.lifecycle import locked, refuse, require_staff, save_changes
from servicedesk.tickets.workflow import OPEN_STATES

# The school district's SLA procedure: "at least once a week".
FOLLOW_UP_EVERY = timedelta(days=7)
REMINDER_ACTION = "ticket.follow_up_reminder"


@transaction.atomic
def ticket_plan(
    ticket: Ticket, *, actor: Person, version: int | None, planned_for: date | None
) -> Ticket:
    """Set (or clear, with None) the day scheduled maintenance is planned for; history keeps
    every change. Only scheduled maintenance carries one: other work is ordered by its SLA."""
    require_staff(actor, "plan scheduled work")
    current = locked(ticket, version)
    if not is_scheduled_work(current):
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            "Only scheduled maintenance has a planned date; triage it into that category first.",
            "planned_for",
        )
    if current.state not in OPEN_STATES:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {current.get_state_display().lower()}; reopen it to plan it.",
            "planned_for",
        )
    if current.planned_for == planned_for:
        return current
    before = history.snapshot(current)
    current.planned_for = planned_for
    return save_changes(current, actor, EventName.PLAN, before)


def _last_status_note() -> Subquery:
    """When the ticket last had a status note: a staff comment (public or internal)."""
    return Subquery(
        Comment.objects.filter(ticket_id=OuterRef("pk"), author__role__in=STAFF_ROLES)
        .order_by()
        .values("ticket_id")
        .annotate(last=Max("created_at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


def _last_state_change() -> Subquery:
    return Subquery(
        TicketHistory.objects.filter(ticket_id=OuterRef("pk"), field="state")
        .order_by()
        .values("ticket_id")
        .annotate(last=Max("at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


@dataclass(frozen=True)
class FollowUpReminder:
    number: str
    assignee: str
    quiet_since: datetime


def follow_ups_due(now: datetime) -> list[Ticket]:
    """Open, assigned scheduled maintenance whose last note, state change, reminder (or, with
    none of those, its creation) is at least a week old. `quiet_since` is annotated."""
    cutoff = now - FOLLOW_UP_EVERY
    tickets = (
        Ticket.objects.filter(scheduled_condition(), state__in=OPEN_STATES, assignee__isnull=False)
        .annotate(last_note=_last_status_note(), last_state=_last_state_change())
        .annotate(
            # Greatest() of NULLs is NULL on SQLite, so the creation time stands in for "never".
            quiet_since=Greatest(
                "created_at",
                _or_created("last_note"),
                _or_created("last_state"),
                _or_created("follow_up_reminded_at"),
            )
        )
        .filter(quiet_since__lte=cutoff)
        .select_related("assignee")
        .order_by("quiet_since", "pk")
    )
    return list(tickets)


def _or_created(name: str) -> Any:
    return Coalesce(name, "created_at", output_field=DateTimeField())


def scheduled_follow_ups_remind(now: datetime | None = None) -> list[FollowUpReminder]:
    """Remind each assignee whose scheduled ticket has gone a week without a status note; once
    per quiet week. Safe on several workers at once: the reminder time is claimed with a
    conditional UPDATE, so only the worker that moves it sends the reminder."""
    now = now or timezone.now()
    sent: list[FollowUpReminder] = []
    for ticket in follow_ups_due(now):
        quiet_since: datetime = ticket.quiet_since  # type: ignore[attr-defined]
        with transaction.atomic():
            claimed = Ticket.objects.filter(
                Q(pk=ticket.pk)
                & (
                    Q(follow_up_reminded_at__isnull=True)
                    if ticket.follow_up_reminded_at is None
                    else Q(follow_up_reminded_at=ticket.follow_up_reminded_at)
                )
            ).update(follow_up_reminded_at=now)
            if not claimed:
                continue
            ticket.follow_up_reminded_at = now
            days = (now - quiet_since).days
            note = (
                f"No status note for {days} days: scheduled maintenance needs a follow-up note "
                "at least once a week."
            )
            reminded = f"reminded {ticket.assignee}"
            history.record(ticket, None, REMINDER_ACTION, "assignee", "", reminded)
            publish(
                TicketEvent(
                    EventName.FOLLOW_UP_DUE,
                    ticket,
                    None,
                    now,
                    note=note,
                    data={"recipients": [ticket.assignee_id], "quiet_days": days},
                )
            )
        sent.append(FollowUpReminder(ticket.number, str(ticket.assignee), quiet_since))
    return sent
