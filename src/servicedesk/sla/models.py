"""Business calendars as data. The arithmetic lives in `sla.engine`; this is only storage."""

from __future__ import annotations

import datetime
import re
import uuid
import zoneinfo
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from servicedesk.catalog.choices import Priority
from servicedesk.core.audit import audited
from servicedesk.core.models import AppendOnlyModel
from servicedesk.directory.choices import Network
from servicedesk.sla.choices import ClockEventKind, ClockState, Metric, Outcome, TargetKind
from servicedesk.tickets.choices import Channel, TicketKind

# A closure longer than a season is more likely a typo in the year.
MAX_CLOSURE_DAYS = 120
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def validate_weekly_hours(value: Any) -> None:
    """`{"0": [["07:00", "17:00"]], ...}`: Monday is 0; at least one working interval."""
    if not isinstance(value, dict):
        raise ValidationError("Weekly hours must map weekday numbers (0 = Monday) to intervals.")
    total = 0
    for day, intervals in value.items():
        if str(day) not in {str(n) for n in range(7)}:
            raise ValidationError(f"'{day}' is not a weekday number from 0 (Monday) to 6 (Sunday).")
        for interval in intervals:
            if (
                not isinstance(interval, list | tuple)
                or len(interval) != 2
                or not all(isinstance(t, str) and _HHMM.match(t) for t in interval)
            ):
                raise ValidationError(
                    f"{WEEKDAY_NAMES[int(day)]}: {interval!r} is not a pair of HH:MM times."
                )
            start, end = interval
            if start >= end:
                raise ValidationError(
                    f"{WEEKDAY_NAMES[int(day)]}: the interval {start}–{end} ends before it starts."
                )
            total += 1
    if total == 0:
        raise ValidationError("A calendar needs some working time in its week.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone such as America/Chicago.")


@audited(exclude=("edition",))
class BusinessCalendar(models.Model):
    name = models.CharField(max_length=120, unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    weekly_hours = models.JSONField(
        validators=[validate_weekly_hours],
        help_text='Working intervals per weekday, Monday = 0: {"0": [["07:00", "17:00"]]}.',
    )
    is_24x7 = models.BooleanField(default=False, help_text="Counts every hour of every day.")
    edition = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Renewed by every change, so cached copies of the calendar are rebuilt.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.edition = uuid.uuid4()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from servicedesk.sla.calendars import engine_calendar_for

        try:
            engine_calendar_for(self, closures=())
        except ValueError as problem:
            raise ValidationError(f"This calendar cannot be used: {problem}") from problem

    def mark_changed(self) -> None:
        """Mark the calendar changed (its closures or earlier hours were edited)."""
        self.edition = uuid.uuid4()
        BusinessCalendar.objects.filter(pk=self.pk).update(edition=self.edition)


@audited()
class CalendarClosure(models.Model):
    """A holiday, or a named run of days such as a winter break (whole days), or partial days
    whose intervals replace the weekly ones."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField("first day")
    last_day = models.DateField(
        null=True, blank=True, help_text="For a run of days, e.g. a winter break; empty: one day."
    )
    name = models.CharField(max_length=120)
    open_intervals = models.JSONField(
        default=list,
        blank=True,
        help_text='Empty for a whole-day closure; [["07:00", "12:00"]] for a half day.',
    )
    source = models.CharField(
        max_length=120, blank=True, help_text="Where it came from, e.g. holidays US/OK 0.108."
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closure_unique_per_day")
        ]

    def __str__(self) -> str:
        if self.last_day and self.last_day != self.date:
            return f"{self.date} – {self.last_day}: {self.name}"
        return f"{self.date}: {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.calendar.mark_changed()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        calendar = self.calendar
        deleted = super().delete(*args, **kwargs)
        calendar.mark_changed()
        return deleted

    def clean(self) -> None:
        for interval in self.open_intervals or []:
            validate_weekly_hours({"0": [interval]})
        if self.date is None:
            return
        if self.last_day is not None and self.last_day < self.date:
            raise ValidationError({"last_day": "The last day comes before the first day."})
        if len(self.days) > MAX_CLOSURE_DAYS:
            raise ValidationError({"last_day": f"A closure spans at most {MAX_CLOSURE_DAYS} days."})
        if self.calendar_id is None:
            return
        last = self.last_day or self.date
        others = CalendarClosure.objects.filter(calendar_id=self.calendar_id, date__lte=last)
        for other in others.exclude(pk=self.pk):
            if (other.last_day or other.date) >= self.date:
                raise ValidationError(f"These days overlap “{other.name}” ({other}).")

    @property
    def days(self) -> list[datetime.date]:
        """Every date the closure covers, first to last."""
        last = self.last_day or self.date
        return [self.date + timedelta(days=n) for n in range((last - self.date).days + 1)]


@audited()
class SlaRule(models.Model):
    """One line of an ordered rule list: for tickets matching every filled-in field, this target.

    Rules of a metric are tried by position; the first match wins. A blank field matches anything.
    The ticket's priority code's own target comes before every rule but those that win over the
    code (see `sla.rules`).
    """

    metric = models.CharField(max_length=20, choices=Metric.choices)
    position = models.PositiveIntegerField(help_text="Lower positions are tried first.")
    name = models.CharField(max_length=160)
    is_active = models.BooleanField(default=True)
    before_code = models.BooleanField(
        "wins over the priority code",
        default=False,
        help_text="Off: the rule applies when the ticket's priority code sets no target for "
        "this metric. On: it applies even when the code sets one (a site's exception).",
    )

    ticket_kind = models.CharField(max_length=10, choices=TicketKind.choices, blank=True)
    request_type = models.ForeignKey(
        "catalog.RequestType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priority_code = models.ForeignKey(
        "catalog.PriorityCode", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    network = models.CharField(max_length=20, choices=Network.choices, blank=True)
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    only_uncategorized = models.BooleanField(
        default=False, help_text="Match only tickets that arrive without a category."
    )

    target_kind = models.CharField(max_length=30, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(null=True, blank=True, help_text="For a duration.")
    days = models.PositiveIntegerField(
        null=True, blank=True, help_text="For business days, or the n of end of next business day."
    )
    cutoff = models.TimeField(
        null=True,
        blank=True,
        help_text="End of next business day: later arrivals count as next day.",
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty: the calendar of the ticket's location.",
    )

    MATCH_FIELDS = (
        "ticket_kind",
        "request_type_id",
        "category_id",
        "priority_code_id",
        "priority",
        "network",
        "agency_id",
        "channel",
    )

    class Meta:
        ordering = ["metric", "position"]
        verbose_name = "SLA rule"
        constraints = [
            models.UniqueConstraint(fields=["metric", "position"], name="sla_rule_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} #{self.position}: {self.name}"

    def clean(self) -> None:
        from servicedesk.sla.rules import check_rule

        check_rule(self)


class TicketClock(models.Model):
    """One SLA clock of one ticket: the engine's record plus the columns queues sort on."""

    # No index of its own: one_clock_per_metric leads with it, and a re-plan writes every index
    # of this table once a clock (see sla/replan.py).
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    metric = models.CharField(max_length=20, choices=Metric.choices)
    # Neither key has an index of its own: clock_calendar_rule serves both (see Meta.indexes).
    rule = models.ForeignKey(
        SlaRule, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, db_index=False
    )
    target_label = models.CharField(max_length=120)
    state = models.CharField(max_length=12, choices=ClockState.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_threshold_at = models.DateTimeField(null=True, blank=True)
    record = models.JSONField(help_text="The engine's clock, as Clock.to_dict().")

    class Meta:
        ordering = ["ticket", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="one_clock_per_metric")
        ]
        # Few indexes, each earning its place: a re-plan moves the due times of every open
        # clock of a calendar, and each such write adds an entry to every index whose columns
        # it covers (a million clocks re-planned on PostgreSQL: about 2 s of wall time for each
        # index written, see bench/README.md). The overdue look-ups read the tickets' own copy
        # of the due time (`QueueOrder.resolution_due_at`), not an index of the clocks.
        indexes = [
            # The sweep: running clocks whose next warning or breach has come.
            models.Index(fields=["state", "next_threshold_at"], name="clock_state_threshold"),
            # A calendar's clocks (the re-plan, the calendar's deletion check) by its first
            # column; a rule's (its deletion empties their rule) by a walk of this small index
            # instead of the table.
            models.Index(fields=["calendar", "rule"], name="clock_calendar_rule"),
            # The reports and shift reports: the breaches of a period. Only the clocks that
            # have breached: a running clock's due time moves without writing an entry here.
            models.Index(
                fields=["breached_at"],
                name="clock_breached_at",
                condition=models.Q(breached_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric}: {self.state}"


class ClockEvent(AppendOnlyModel):
    """A line of a clock's timeline, in words, for the agent and the auditor."""

    clock = models.ForeignKey(TicketClock, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=ClockEventKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.detail}"


class WeeklyHoursVersion(models.Model):
    """The weekly hours a calendar had on the days before `valid_until`.

    Written when an admin changes a calendar's hours with an effective date, so that business time
    already counted before that date is never recomputed with the new hours.
    """

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="earlier_hours"
    )
    weekly_hours = models.JSONField(validators=[validate_weekly_hours])
    valid_until = models.DateField(help_text="The first day the next hours applied.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["calendar", "valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "valid_until"], name="one_hours_version_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.calendar}: hours before {self.valid_until}"
