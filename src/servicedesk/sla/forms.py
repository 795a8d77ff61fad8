from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

from servicedesk.sla.choices import TargetKind
from servicedesk.sla.models import BusinessCalendar, SlaRule


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
