from __future__ import annotations

import re
from datetime import date, datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from servicedesk.catalog.choices import Priority
from servicedesk.catalog.models import Category, PriorityCode, RequestType
from servicedesk.directory.choices import Network
from servicedesk.directory.models import Agency
from servicedesk.sla.choices import TargetKind
from servicedesk.sla.explain import day_words
from servicedesk.sla.models import WEEKDAY_NAMES, BusinessCalendar, CalendarClosure, SlaRule
from servicedesk.sla.planning import HolidayOption
from servicedesk.sla.simulator import LocalTimeChoice, local_instant, stamp
from servicedesk.tickets.choices import Channel, TicketKind

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}):(\d{2})\s*$")


def parse_intervals(text: str, where: str) -> list[list[str]]:
    """`07:00–12:00, 13:00–17:00` → [["07:00", "12:00"], ["13:00", "17:00"]]; empty: none.

    Raises ValidationError with a sentence naming `where` (a weekday, a closure)."""
    intervals: list[list[str]] = []
    for piece in re.split(r"[,;]", text):
        if not piece.strip():
            continue
        match = _RANGE.match(piece)
        if match is None:
            raise forms.ValidationError(
                f"{where}: “{piece.strip()}” is not a time range such as 07:00–17:00."
            )
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        start, end = f"{h1:02}:{m1:02}", f"{h2:02}:{m2:02}"
        if h1 > 23 or m1 > 59 or m2 > 59 or (h2 > 23 and end != "24:00"):
            raise forms.ValidationError(f"{where}: {start}–{end} is not a time of day.")
        if end <= start:
            raise forms.ValidationError(f"{where}: {start}–{end} ends before it starts.")
        if intervals and start < intervals[-1][1]:
            raise forms.ValidationError(
                f"{where}: {start}–{end} overlaps {intervals[-1][0]}–{intervals[-1][1]} "
                "or comes before it; list the hours in order."
            )
        intervals.append([start, end])
    return intervals


def intervals_text(intervals: list[list[str]] | None) -> str:
    return ", ".join(f"{start}–{end}" for start, end in intervals or [])


DAY_FIELDS = [name.lower() for name in WEEKDAY_NAMES]


class BusinessCalendarForm(forms.ModelForm[BusinessCalendar]):
    """The weekly hours as one line per weekday (several intervals, half days), not JSON."""

    monday = forms.CharField(required=False)
    tuesday = forms.CharField(required=False)
    wednesday = forms.CharField(required=False)
    thursday = forms.CharField(required=False)
    friday = forms.CharField(required=False)
    saturday = forms.CharField(required=False)
    sunday = forms.CharField(required=False)
    hours_take_effect_on = forms.DateField(
        initial=date.today,
        help_text="A change of the weekly hours applies from this day on; earlier days keep "
        "their hours, so time already counted never changes.",
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "is_24x7"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.weekly_hours or {}
        self.previous_hours: dict[str, list[list[str]]] = dict(hours)
        for number, name in enumerate(DAY_FIELDS):
            field = self.fields[name]
            field.initial = intervals_text(hours.get(str(number)))
            field.help_text = "e.g. 07:00–17:00, or 07:00–12:00, 13:00–17:00; empty: closed."
            field.widget.attrs["placeholder"] = "closed"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: dict[str, list[list[str]]] = {}
        for number, (name, label) in enumerate(zip(DAY_FIELDS, WEEKDAY_NAMES, strict=True)):
            try:
                intervals = parse_intervals(data.get(name) or "", label)
            except forms.ValidationError as problem:
                self.add_error(name, problem)
                continue
            if intervals:
                hours[str(number)] = intervals
        if not self.errors and not hours and not data.get("is_24x7"):
            raise forms.ValidationError("Give the working hours of at least one weekday.")
        # The model's own check (an engine calendar can be built) runs on these hours.
        self.instance.weekly_hours = hours or {"0": [["00:00", "24:00"]]}
        data["weekly_hours"] = self.instance.weekly_hours
        return data

    @property
    def hours_changed(self) -> bool:
        return bool(self.instance.pk) and self.previous_hours != self.cleaned_data["weekly_hours"]


class ClosureForm(forms.ModelForm[CalendarClosure]):
    """A closed day or run of days; open hours make it a half day."""

    open_hours = forms.CharField(
        required=False,
        label="Open hours",
        help_text="Empty: closed all day. A half day: 07:00–12:00.",
    )

    class Meta:
        model = CalendarClosure
        fields = ["date", "last_day", "name", "source"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "last_day": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["open_hours"].initial = intervals_text(self.instance.open_intervals)

    def clean_open_hours(self) -> str:
        text = str(self.cleaned_data.get("open_hours") or "")
        self.instance.open_intervals = parse_intervals(text, "Open hours")
        return text


class HolidayNamesField(forms.MultipleChoiceField):
    """The holidays ticked: names the package gave, checked again when they are imported."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str)


class HolidayImportForm(forms.Form):
    country = forms.CharField(max_length=3, initial="US", help_text="ISO code, e.g. US, GB, CA.")
    subdivision = forms.CharField(
        max_length=10, required=False, initial="OK", help_text="State or province, e.g. OK."
    )
    first_year = forms.IntegerField(min_value=1900, max_value=2399)
    last_year = forms.IntegerField(min_value=1900, max_value=2399)
    names = HolidayNamesField(
        required=False,
        label="Holidays to keep",
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick what your organisation works on (optional or observance days).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = date.today().year
        self.fields["first_year"].initial = this_year
        self.fields["last_year"].initial = this_year + 2

    def offer(self, options: list[HolidayOption]) -> None:
        """Show the holidays found, one checkbox per name with its dates, all ticked."""
        field = self.fields["names"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (option.name, f"{option.name} — {', '.join(day_words(d) for d in option.days)}")
            for option in options
        ]
        field.initial = [option.name for option in options]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first and last and not 0 <= last - first <= 20:
            raise forms.ValidationError("Choose up to 20 years, the last not before the first.")
        return data


class SimulatorForm(forms.Form):
    """Try a target on a calendar: when is it due, and why. Every mistake gets a sentence."""

    calendar = forms.ModelChoiceField(queryset=BusinessCalendar.objects.all())
    rule = forms.ModelChoiceField(
        queryset=SlaRule.objects.all(), required=False, help_text="Or give a target below."
    )
    target_kind = forms.ChoiceField(
        choices=[("", "---------"), *TargetKind.choices], required=False
    )
    minutes = forms.IntegerField(min_value=1, required=False)
    days = forms.IntegerField(min_value=1, required=False)
    start = forms.CharField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="The calendar's local time.",
        error_messages={"required": "Give the start, e.g. 2025-06-13 15:30."},
    )
    local_time_choice = forms.ChoiceField(
        label="A time the clocks repeat or skip (daylight saving)",
        choices=[
            (
                LocalTimeChoice.EARLIER,
                "The earlier instant: the first of a repeated hour; a skipped time counts from "
                "when the clocks jumped forward",
            ),
            (
                LocalTimeChoice.LATER,
                "The later instant: the second of a repeated hour; a skipped time is read an "
                "hour on, as if the clocks had already changed",
            ),
        ],
        initial=LocalTimeChoice.EARLIER,
        required=False,
        widget=forms.RadioSelect,
    )
    pauses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One pause a line, in the calendar's local time: "
        "2025-06-09 12:00 / 2025-06-09 14:00",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("rule") and not data.get("target_kind"):
            raise forms.ValidationError("Choose a rule or a target.")
        self._check_target(data)
        calendar = data.get("calendar")
        if calendar is None or self.errors:
            return data
        zone = ZoneInfo(calendar.time_zone)
        choice = LocalTimeChoice(data.get("local_time_choice") or LocalTimeChoice.EARLIER)
        data["notes"] = []
        start = self._instant(data.get("start") or "", zone, choice, "start", data["notes"])
        if start is None:
            return data
        data["start_at"] = start
        data["pause_spans"] = self._pauses(data.get("pauses") or "", zone, choice, data, start)
        return data

    def _check_target(self, data: dict[str, Any]) -> None:
        if data.get("rule"):
            return
        kind = data.get("target_kind")
        if kind == TargetKind.DURATION and not data.get("minutes"):
            self.add_error("minutes", "A duration needs its number of minutes.")
        if kind == TargetKind.BUSINESS_DAYS and not data.get("days"):
            self.add_error("days", "Business days need their number of days.")

    def _instant(
        self,
        text: str,
        zone: ZoneInfo,
        choice: LocalTimeChoice,
        field: str | None,
        notes: list[str],
        line: int = 0,
    ) -> datetime | None:
        where = f"Pause line {line}: " if line else ""
        naive = _parse_local(text)
        if naive is None:
            self.add_error(
                field,
                f"{where}“{text.strip()}” is not a date and time such as 2025-06-13 15:30.",
            )
            return None
        found = local_instant(naive, zone, choice)
        if found.note:
            notes.append(
                f"{naive:%Y-%m-%d %H:%M} {found.note} in {zone.key}: "
                f"used {stamp(found.at, zone)} ({found.at:%H:%M} UTC)."
            )
        return found.at

    def _pauses(
        self,
        text: str,
        zone: ZoneInfo,
        choice: LocalTimeChoice,
        data: dict[str, Any],
        start: datetime,
    ) -> list[tuple[datetime, datetime]]:
        spans: list[tuple[int, datetime, datetime]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split("/")
            if len(parts) != 2:
                self.add_error(
                    "pauses",
                    f"Pause line {number} should read "
                    "'YYYY-MM-DD HH:MM / YYYY-MM-DD HH:MM' (a start, a slash, an end).",
                )
                continue
            begin, end = (
                self._instant(part, zone, choice, "pauses", data["notes"], number) for part in parts
            )
            if begin is None or end is None:
                continue
            problem = _pause_problem(number, begin, end, start, zone)
            if problem:
                self.add_error("pauses", problem)
                continue
            spans.append((number, begin, end))
        spans.sort(key=lambda span: span[1])
        for (one, _, end), (two, begin, _) in pairwise(spans):
            if begin < end:
                self.add_error("pauses", f"Pause lines {one} and {two} overlap: merge them.")
        return [(begin, end) for _, begin, end in spans]


def _any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "any"), *choices]


class ChartForm(forms.Form):
    """A ticket described by the facts SLA targets depend on (the admin's SLA chart page)."""

    ticket_kind = forms.ChoiceField(choices=_any(TicketKind.choices), required=False)
    channel = forms.ChoiceField(choices=_any(Channel.choices), required=False)
    request_type = forms.ModelChoiceField(queryset=RequestType.objects.all(), required=False)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    priority_code = forms.ModelChoiceField(
        queryset=PriorityCode.objects.select_related("category").prefetch_related("targets"),
        required=False,
    )
    priority = forms.ChoiceField(choices=_any(Priority.choices), required=False)
    network = forms.ChoiceField(choices=_any(Network.choices), required=False)
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False)
    uncategorized_at_arrival = forms.BooleanField(
        required=False, label="Arrived without a category"
    )

    def facts(self) -> dict[str, object]:
        data = self.cleaned_data
        code = data["priority_code"]

        def pk(value: Any) -> int | None:
            return value.pk if value is not None else None

        return {
            "ticket_kind": data["ticket_kind"],
            "request_type_id": pk(data["request_type"]),
            "category_id": pk(data["category"]) or (code.category_id if code else None),
            "priority_code_id": pk(code),
            "priority": data["priority"],
            "network": data["network"],
            "agency_id": pk(data["agency"]),
            "channel": data["channel"],
            "uncategorized_at_arrival": data["uncategorized_at_arrival"],
        }


def _pause_problem(
    number: int, begin: datetime, end: datetime, start: datetime, zone: ZoneInfo
) -> str:
    if end <= begin:
        return (
            f"Pause line {number} ends ({stamp(end, zone)}) before it begins "
            f"({stamp(begin, zone)}): put the start first."
        )
    if begin < start:
        return (
            f"Pause line {number} begins ({stamp(begin, zone)}) before the clock starts "
            f"({stamp(start, zone)})."
        )
    return ""


def _parse_local(text: str) -> datetime | None:
    """`2025-06-13 15:30` or the browser's `2025-06-13T15:30`; None when it is not one."""
    cleaned = text.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            parsed = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return parsed if 1900 < parsed.year < 2399 else None
    return None
