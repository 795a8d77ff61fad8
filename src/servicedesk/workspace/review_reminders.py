"""The odd-hour reminder (the school district's SLA procedure): at each review slot, if tickets wait
uncategorized and nobody of the desk has recorded a review since the slot began, tell the L1 desk.

Run every few minutes by `workspace.tasks.remind_new_queue_review`. Exactly one decision per
slot, even with several workers: the decision is a `NewQueueReviewCheck` row whose slot is
unique, written in the same transaction as the notifications, so the worker that loses the
race rolls back without telling anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from servicedesk.directory.choices import Tier
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.selectors import preference_of
from servicedesk.notifications.services import notify_people
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import UNCATEGORIZED, Queue
from servicedesk.tickets.workflow import OPEN_STATES
from servicedesk.workspace.models import NewQueueReviewCheck, ReviewReminderOutcome
from servicedesk.workspace.queue_review import (
    DeskClock,
    Waiting,
    desk_clock,
    new_queue_waiting,
    reviewed_since,
)
from servicedesk.workspace.review_schedule import current_slot

REMINDER_EVENT = "new_queue.review_due"


def desk_members() -> list[Person]:
    """Who reviews the queue: the active members of the active L1 service-desk groups."""
    return list(
        Person.objects.filter(
            support_groups__tier=Tier.SERVICE_DESK, support_groups__is_active=True, is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def _all_waiting() -> Waiting:
    """Every uncategorized ticket, whoever may see it: the job has no viewer of its own, and
    this figure goes only into the check's log row (each person is told their own count)."""
    found = Ticket.objects.filter(UNCATEGORIZED, state__in=OPEN_STATES).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    return Waiting(found["count"], found["oldest"])


@dataclass(frozen=True)
class Reminder:
    person: Person
    waiting: Waiting


def _reminder_text(waiting: Waiting, clock: DeskClock, now: datetime) -> str:
    text = f"Review the uncategorized queue: {waiting.count} waiting"
    if waiting.oldest_since is not None:
        oldest = waiting.oldest_since.astimezone(clock.zone)
        text += f", oldest since {oldest:%H:%M}"
        if oldest.date() != now.astimezone(clock.zone).date():
            text += f" on {oldest:%a %d %b}"
    return text


def _tell(reminders: list[Reminder], slot: datetime, clock: DeskClock, now: datetime) -> None:
    queue_url = (
        f"{settings.SERVICEDESK_BASE_URL}{reverse('workspace:queue', args=[Queue.UNCATEGORIZED])}"
    )
    for reminder in reminders:
        title = _reminder_text(reminder.waiting, clock, now)
        notify_people(
            [reminder.person],
            # No template of its own (that needs a notifications migration): the general one
            # carries the title and the body.
            kind=NotificationKind.GENERAL,
            title=title,
            body=(
                f"{title}. The desk reviews the uncategorized queue every odd hour, "
                f"so that every ticket is categorized within 2 hours.\n\n{queue_url}"
            ),
            ticket=None,
            # Part of the SLA routine: mailed unless the person switched SLA alerts off.
            email=preference_of(reminder.person).email_sla_alerts,
            event=REMINDER_EVENT,
            event_key=f"{REMINDER_EVENT}:{slot.isoformat()}",
        )


def new_queue_review_remind(now: datetime | None = None) -> NewQueueReviewCheck | None:
    """Decide the current slot once: remind the desk, or note that it was reviewed or empty.
    Returns the decision, or None when there is no slot now or it was already decided."""
    now = now or timezone.now()
    clock = desk_clock()
    slot = current_slot(now, clock.zone, clock.hours)
    if slot is None or NewQueueReviewCheck.objects.filter(slot=slot).exists():
        return None
    waiting = _all_waiting()
    reminders: list[Reminder] = []
    if reviewed_since(slot):
        outcome = ReviewReminderOutcome.REVIEWED
    elif waiting.count == 0:
        outcome = ReviewReminderOutcome.EMPTY
    else:
        outcome = ReviewReminderOutcome.REMINDED
        for person in desk_members():
            theirs = new_queue_waiting(person)
            if theirs.count:
                reminders.append(Reminder(person, theirs))
    try:
        with transaction.atomic():
            check = NewQueueReviewCheck.objects.create(
                slot=slot,
                checked_at=now,
                outcome=outcome,
                waiting=waiting.count,
                oldest_waiting_since=waiting.oldest_since,
                reminded=len(reminders),
            )
            _tell(reminders, slot, clock, now)
    except IntegrityError:  # another worker decided this slot first
        return None
    return check
