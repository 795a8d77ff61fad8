"""What a shift report says (reads only): the justice network desk's morning and end-of-shift
status to its "Service Desk Report" list.

Volumes by channel since the last report (e-mail and voicemail called out), every open ticket
over seven days old, what is down now (status entries and open priority-1 incidents), the SLA
breaches since the last report, and the note application support left for this report. Every
ticket figure is the schedule's viewer's, through `tickets.access` (via `filters.scoped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.utils import timezone

from servicedesk.catalog.choices import Priority
from servicedesk.directory.models import Person
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.selectors import current_entries
from servicedesk.reports.models import ShiftReportSchedule, ShiftReportSend
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES

OLD_AFTER = timedelta(days=7)
FIRST_PERIOD = timedelta(hours=24)
CALLED_OUT = (Channel.EMAIL, Channel.VOICEMAIL)


@dataclass(frozen=True)
class ChannelVolume:
    channel: str
    label: str
    count: int


@dataclass(frozen=True)
class ShiftReport:
    schedule: ShiftReportSchedule
    period_start: datetime
    period_end: datetime
    zone: ZoneInfo
    volumes: list[ChannelVolume]
    old_tickets: list[Ticket]
    status_entries: list[StatusEntry]
    major_incidents: list[Ticket]
    breaches: list[TicketClock]
    note: str

    @property
    def total(self) -> int:
        return sum(volume.count for volume in self.volumes)

    def volume_of(self, channel: str) -> int:
        return next((v.count for v in self.volumes if v.channel == channel), 0)

    @property
    def emails(self) -> int:
        return self.volume_of(Channel.EMAIL)

    @property
    def voicemails(self) -> int:
        return self.volume_of(Channel.VOICEMAIL)


def previous_report_end(schedule: ShiftReportSchedule) -> datetime | None:
    """Where the last report to the same list stopped counting (morning follows evening)."""
    last = (
        ShiftReportSend.objects.filter(schedule__distribution_list=schedule.distribution_list_id)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    return last


def _volumes(tickets: QuerySet[Ticket], start: datetime, end: datetime) -> list[ChannelVolume]:
    counts = dict(
        tickets.filter(created_at__gte=start, created_at__lt=end)
        .values("channel")
        .annotate(count=Count("pk"))
        .values_list("channel", "count")
        .order_by()
    )
    return [ChannelVolume(c.value, str(c.label), counts.get(c.value, 0)) for c in Channel]


def old_open_tickets(viewer: Person, now: datetime) -> QuerySet[Ticket]:
    """Every open ticket filed more than seven days before `now`, oldest first."""
    return (
        visible_tickets(viewer)
        .filter(state__in=OPEN_STATES, created_at__lte=now - OLD_AFTER)
        .select_related("assignment_group", "assignee")
        .order_by("created_at", "pk")
    )


def shift_report_build(schedule: ShiftReportSchedule, now: datetime | None = None) -> ShiftReport:
    now = now or timezone.now()
    viewer = schedule.viewer
    tickets = visible_tickets(viewer)
    start = previous_report_end(schedule) or now - FIRST_PERIOD
    breaches = (
        TicketClock.objects.filter(
            ticket_id__in=tickets.values("pk"), breached_at__gte=start, breached_at__lt=now
        )
        .select_related("ticket")
        .order_by("breached_at", "pk")
    )
    majors = tickets.filter(
        state__in=OPEN_STATES, kind=TicketKind.INCIDENT, priority=Priority.P1
    ).order_by("created_at")
    return ShiftReport(
        schedule=schedule,
        period_start=start,
        period_end=now,
        zone=ZoneInfo(schedule.calendar.time_zone),
        volumes=_volumes(tickets, start, now),
        old_tickets=list(old_open_tickets(viewer, now)),
        status_entries=list(current_entries(now)),
        major_incidents=list(majors),
        breaches=list(breaches),
        note=schedule.note.strip(),
    )
