from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

from servicedesk.catalog.choices import Priority
from servicedesk.catalog.models import Category, PriorityCode, RequestType
from servicedesk.directory.choices import Network
from servicedesk.directory.models import Agency
from servicedesk.sla.choices import TargetKind
from servicedesk.sla.models import BusinessCalendar, SlaRule
from servicedesk.tickets.choices import Channel, TicketKind


class BusinessCalendarForm(forms.ModelForm[BusinessCalendar]):
    hours_take_effect_on = forms.DateField(
        initial=date.today,
        help_text="A change of the weekly hours applies from this day on; earlier days keep "
        "their hours, so time already counted never changes.",
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "weekly_hours", "is_24x7"]


class HolidayImportForm(forms.Form):
    country = forms.CharField(max_length=3, initial="US", help_text="ISO code, e.g. US, GB, CA.")
    subdivision = forms.CharField(
        max_length=10, required=False, initial="OK", help_text="State or province, e.g. OK."
    )
    first_year = forms.IntegerField(min_value=1900, max_value=2399)
    last_year = forms.IntegerField(min_value=1900, max_value=2399)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = date.today().year
        self.fields["first_year"].initial = this_year
        self.fields["last_year"].initial = this_year + 2

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first and last and not 0 <= last - first <= 20:
            raise forms.ValidationError("Choose up to 20 years, the last not before the first.")
        return data


class SimulatorForm(forms.Form):
    """Try a target on a calendar: when is it due, and why."""

    calendar = forms.ModelChoiceField(queryset=BusinessCalendar.objects.all())
    rule = forms.ModelChoiceField(
        queryset=SlaRule.objects.all(), required=False, help_text="Or give a target below."
    )
    target_kind = forms.ChoiceField(choices=TargetKind.choices, required=False)
    minutes = forms.IntegerField(min_value=1, required=False)
    days = forms.IntegerField(min_value=1, required=False)
    start = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In the server's time zone.",
    )
    pauses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One pause a line: 2025-06-09 12:00 / 2025-06-09 14:00",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("rule") and not data.get("target_kind"):
            raise forms.ValidationError("Choose a rule or a target.")
        data["pause_spans"] = self._pauses(data.get("pauses") or "")
        return data

    def _pauses(self, text: str) -> list[tuple[datetime, datetime]]:
        spans = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                begin, end = (part.strip() for part in line.split("/"))
                spans.append((self._instant(begin), self._instant(end)))
            except ValueError as problem:
                raise forms.ValidationError(
                    f"Pause line {number} should read 'YYYY-MM-DD HH:MM / YYYY-MM-DD HH:MM'."
                ) from problem
        return sorted(spans)

    @staticmethod
    def _instant(text: str) -> datetime:
        return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


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
