from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from servicedesk.sla.choices import TargetKind
from servicedesk.sla.forms import BusinessCalendarForm, HolidayImportForm, SimulatorForm
from servicedesk.sla.models import (
    BusinessCalendar,
    CalendarClosure,
    ClockEvent,
    SlaRule,
    TicketClock,
    WeeklyHoursVersion,
)
from servicedesk.sla.planning import (
    HolidayImportError,
    calendar_hours_change,
    calendar_replan,
    holidays_apply,
)
from servicedesk.sla.simulator import simulate


class ClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0
    fields = ("date", "name", "open_intervals", "source")


class HoursVersionInline(admin.TabularInline):
    model = WeeklyHoursVersion
    fields = ("valid_until", "weekly_hours", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "earlier hours (kept so that time already counted never changes)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "time_zone", "is_24x7", "holiday_link")
    inlines = [ClosureInline, HoursVersionInline]

    def save_model(
        self, request: HttpRequest, obj: BusinessCalendar, form: ModelForm, change: bool
    ) -> None:
        if change and "weekly_hours" in form.changed_data:
            calendar_hours_change(
                obj, form.initial["weekly_hours"], form.cleaned_data["hours_take_effect_on"]
            )
        super().save_model(request, obj, form, change)

    @admin.display(description="Public holidays")
    def holiday_link(self, calendar: BusinessCalendar) -> str:
        url = reverse("admin:sla_businesscalendar_holidays", args=[calendar.pk])
        return format_html('<a href="{}">Import holidays…</a>', url)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/holidays/",
                self.admin_site.admin_view(self.import_holidays),
                name="sla_businesscalendar_holidays",
            ),
            path(
                "simulator/",
                self.admin_site.admin_view(self.simulator),
                name="sla_simulator",
            ),
        ]
        return own + super().get_urls()

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        replanned = calendar_replan(form.instance)
        if replanned:
            messages.info(request, f"Re-planned {replanned} open SLA clocks on this calendar.")

    def import_holidays(self, request: HttpRequest, pk: int) -> HttpResponse:
        calendar = get_object_or_404(BusinessCalendar, pk=pk)
        form = HolidayImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = holidays_apply(
                    calendar,
                    country=data["country"],
                    subdivision=data["subdivision"],
                    years=range(data["first_year"], data["last_year"] + 1),
                )
            except HolidayImportError as problem:
                form.add_error(None, str(problem))
            else:
                replanned = calendar_replan(calendar)
                messages.success(
                    request,
                    f"Added {result.added} holidays from {result.source} "
                    f"({result.kept} already there); re-planned {replanned} open clocks.",
                )
                url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import public holidays into {calendar}",
            "form": form,
            "calendar": calendar,
        }
        return TemplateResponse(request, "admin/sla/holiday_import.html", context)

    def simulator(self, request: HttpRequest) -> HttpResponse:
        form = SimulatorForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            rule = data["rule"] or SlaRule(
                target_kind=data["target_kind"], minutes=data["minutes"], days=data["days"]
            )
            try:
                result = simulate(data["calendar"], rule, data["start_at"], data["pause_spans"])
            except ValueError:
                # The form checks what it can; the engine refuses the rest (e.g. a calendar
                # whose hours cannot count that far): a sentence, never its message.
                form.add_error(
                    None,
                    "That cannot be simulated on this calendar: check that it has working hours "
                    "around the start and that the pauses are in order.",
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "SLA simulator",
            "form": form,
            "result": result,
            "notes": form.cleaned_data.get("notes", []) if form.is_bound and result else [],
        }
        return TemplateResponse(request, "admin/sla/simulator.html", context)


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ("metric", "position", "name", "target", "calendar", "is_active")
    list_filter = ("metric", "is_active", "target_kind")
    search_fields = ("name",)
    ordering = ("metric", "position")

    @admin.display(description="Target")
    def target(self, rule: SlaRule) -> str:
        if rule.target_kind == TargetKind.DURATION:
            return f"{rule.minutes} min"
        if rule.target_kind == TargetKind.BUSINESS_DAYS:
            return f"{rule.days} business days"
        return rule.get_target_kind_display()


class ClockEventInline(admin.TabularInline):
    model = ClockEvent
    fields = ("at", "kind", "detail", "actor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TicketClock)
class TicketClockAdmin(admin.ModelAdmin):
    list_display = ("ticket", "metric", "target_label", "state", "outcome", "due_at")
    list_filter = ("metric", "state", "outcome")
    search_fields = ("ticket__number",)
    inlines = [ClockEventInline]
    readonly_fields = [field.name for field in TicketClock._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
