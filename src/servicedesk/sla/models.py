"""Business calendars as data. The arithmetic lives in `sla.engine`; this is only storage."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

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


class BusinessCalendar(models.Model):
    name = models.CharField(max_length=120, unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    weekly_hours = models.JSONField(
        validators=[validate_weekly_hours],
        help_text='Working intervals per weekday, Monday = 0: {"0": [["07:00", "17:00"]]}.',
    )
    is_24x7 = models.BooleanField(default=False, help_text="Counts every hour of every day.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarClosure(models.Model):
    """A holiday (whole day) or a partial day whose intervals replace the weekly ones."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
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
        return f"{self.date}: {self.name}"
