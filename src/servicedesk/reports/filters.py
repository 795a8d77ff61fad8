"""What a dashboard is narrowed to: a period, a support group, an agency, a service.

Every figure starts from `tickets.access.visible_tickets`, so a person's dashboard counts only
the tickets their queues would list; the filters then narrow that set, never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.core.model_choices import list_model_choices
from servicedesk.directory.models import Agency, Person, SupportGroup
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.models import Ticket

DEFAULT_DAYS = 28
LONGEST_PERIOD_DAYS = 366


def report_zone() -> ZoneInfo:
    """Days are counted in the desk's own zone, as its people speak of them."""
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=report_zone())


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date
    group_id: int | None = None
    agency_id: int | None = None
    service_id: int | None = None

    @property
    def since(self) -> datetime:
        return day_start(self.start)

    @property
    def until(self) -> datetime:
        """The first moment after the period (its last day is included)."""
        return day_start(self.end + timedelta(days=1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def as_query(self) -> dict[str, str]:
        given = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "group": self.group_id,
            "agency": self.agency_id,
            "service": self.service_id,
        }
        return {name: str(value) for name, value in given.items() if value}


def default_filters(today: date | None = None) -> ReportFilters:
    today = today or timezone.localdate(timezone.now(), report_zone())
    return ReportFilters(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)


class ReportFilterForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ModelChoiceField(
        required=False, queryset=SupportGroup.objects.filter(is_active=True), empty_label="Any"
    )
    agency = forms.ModelChoiceField(
        required=False, queryset=Agency.objects.all(), empty_label="Any"
    )
    service = forms.ModelChoiceField(
        required=False, queryset=Service.objects.filter(is_active=True), empty_label="Any"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inside `core.editions.one_edition()` (the dashboard) its lists are kept, not read.
        list_model_choices(self)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The period ends before it starts.")
        elif start and end and (end - start).days >= LONGEST_PERIOD_DAYS:
            self.add_error("start", f"Choose a period of at most {LONGEST_PERIOD_DAYS} days.")
        return cleaned

    def filters(self) -> ReportFilters:
        """The chosen filters; the defaults stand in for anything missing or refused."""
        fallback = default_filters()
        if not self.is_valid():
            return fallback
        data = self.cleaned_data
        end = data.get("end") or fallback.end
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return ReportFilters(
            start=start,
            end=end,
            group_id=data["group"].pk if data.get("group") else None,
            agency_id=data["agency"].pk if data.get("agency") else None,
            service_id=data["service"].pk if data.get("service") else None,
        )


def scoped_tickets(viewer: Person, filters: ReportFilters) -> QuerySet[Ticket]:
    """The viewer's tickets (the access policy's set) narrowed by group, agency and service."""
    narrowed = {
        "assignment_group_id": filters.group_id,
        "agency_id": filters.agency_id,
        "service_id": filters.service_id,
    }
    return visible_tickets(viewer).filter(
        **{name: value for name, value in narrowed.items() if value is not None}
    )
