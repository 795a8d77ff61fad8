"""The school district's odd-hour review of the uncategorized queue (`Queue.UNCATEGORIZED`: every
open incident or request without a category, whatever its state or group): the desk's clock, the
record of a review, and what the New queue page's banner says. The reminder job is
`review_reminders`.

The desk's clock: the business calendar most members of the L1 service-desk groups work on
(their location's), else `SERVICEDESK_DEFAULT_CALENDAR` (what SLA clocks fall back to), else
`settings.TIME_ZONE` round the clock. Support groups have no calendar of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Min, Q, QuerySet, Subquery, When
from django.utils import timezone

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.choices import Tier
from servicedesk.directory.models import Person
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.engine import Calendar
from servicedesk.sla.models import BusinessCalendar
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.workspace.errors import WorkspaceError, WorkspaceErrorCode
from servicedesk.workspace.models import NewQueueReview
from servicedesk.workspace.review_schedule import current_slot, next_review_due


@dataclass(frozen=True)
class DeskClock:
    """The wall clock and business hours the odd-hour slots are counted on."""

    zone: ZoneInfo
    hours: Calendar | None  # None: round the clock
    calendar_name: str


def _desk_calendar_named(default_name: str) -> QuerySet[BusinessCalendar]:
    """The calendar most of the desk's members' locations count (ties: the oldest calendar),
    else the one named."""
    most_desk_members = (
        Person.objects.filter(
            support_groups__tier=Tier.SERVICE_DESK,
            support_groups__is_active=True,
            is_active=True,
            location__calendar__isnull=False,
        )
        .values("location__calendar")
        .annotate(members=Count("pk", distinct=True))
        .order_by("-members", "location__calendar")
        .values("location__calendar")[:1]
    )
    desks = Q(pk__in=Subquery(most_desk_members))
    return (
        BusinessCalendar.objects.filter(desks | Q(name=default_name))
        .annotate(fallback=Case(When(desks, then=1), default=2))
        .order_by("fallback")[:1]
    )


# On the new-tickets queue's every page: Django took 3-4 ms of CPU to compile its two
# subqueries each time; compiled once (`core.kept_queries`).
_DESK_CALENDAR_NAMED = KeptQuery(_desk_calendar_named)


def _desk_calendar() -> BusinessCalendar | None:
    """`_desk_calendar_named` of the default calendar: one query."""
    return next(iter(_DESK_CALENDAR_NAMED(settings.SERVICEDESK_DEFAULT_CALENDAR)), None)


def desk_clock() -> DeskClock:
    calendar = _desk_calendar()
    if calendar is None:
        return DeskClock(ZoneInfo(settings.TIME_ZONE), None, "")
    hours = None if calendar.is_24x7 else engine_calendar(calendar)
    return DeskClock(ZoneInfo(calendar.time_zone), hours, calendar.name)


@dataclass(frozen=True)
class Waiting:
    count: int
    oldest_since: datetime | None


def new_queue_waiting(viewer: Person) -> Waiting:
    """How many tickets the viewer's uncategorized queue holds, and since when the oldest waits:
    one aggregate through the queue (and so the access rule) the page itself lists."""
    found = (
        queue_tickets(viewer, Queue.UNCATEGORIZED)
        .order_by()
        .aggregate(count=Count("pk"), oldest=Min("created_at"))
    )
    return Waiting(found["count"], found["oldest"])


@transaction.atomic
def new_queue_review_record(actor: Person, now: datetime | None = None) -> NewQueueReview:
    """Record that `actor` reviewed the uncategorized queue now, with what was waiting in it."""
    if not actor.is_staff_member:
        raise WorkspaceError(
            WorkspaceErrorCode.NOT_PERMITTED,
            "Only the desk reviews the uncategorized queue.",
            field=None,
        )
    waiting = new_queue_waiting(actor)
    return NewQueueReview.objects.create(
        reviewer=actor,
        reviewed_at=now or timezone.now(),
        waiting=waiting.count,
        oldest_waiting_since=waiting.oldest_since,
    )


def _last_review() -> QuerySet[NewQueueReview]:
    return NewQueueReview.objects.select_related("reviewer").order_by("-reviewed_at", "-pk")[:1]


_LAST_REVIEW = KeptQuery(_last_review)  # on the new-tickets queue's every page


def last_new_queue_review() -> NewQueueReview | None:
    return next(iter(_LAST_REVIEW()), None)


def reviewed_since(moment: datetime) -> bool:
    return NewQueueReview.objects.filter(reviewed_at__gte=moment).exists()


def _clock_time(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """ "11:00" today, "Mon 07:00" within a week, "12 Nov 16:58" further away (desk's zone)."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if abs((local.date() - today.date()).days) < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%d %b %H:%M}"


@dataclass(frozen=True)
class ReviewStatus:
    """What the uncategorized queue's banner shows. `due_at` is the current slot while it has no
    review (then `overdue`), else the next slot (None: the desk is closed for a month). The texts
    are in the desk's time zone (`zone_name`)."""

    due_at: datetime | None
    overdue: bool
    due_text: str
    last: NewQueueReview | None
    last_text: str
    zone_name: str


def new_queue_review_status(now: datetime | None = None) -> ReviewStatus:
    now = now or timezone.now()
    clock = desk_clock()
    last = last_new_queue_review()
    slot = current_slot(now, clock.zone, clock.hours)
    overdue = slot is not None and (last is None or last.reviewed_at < slot)
    due_at = slot if overdue else next_review_due(now, clock.zone, clock.hours)
    return ReviewStatus(
        due_at=due_at,
        overdue=overdue,
        due_text=_clock_time(due_at, clock.zone, now) if due_at else "",
        last=last,
        last_text=_clock_time(last.reviewed_at, clock.zone, now) if last else "",
        zone_name=clock.zone.key,
    )
