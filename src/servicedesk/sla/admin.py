from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from servicedesk.sla.chart import chart_verdicts
from servicedesk.sla.choices import TargetKind
from servicedesk.sla.explain import hours_words
from servicedesk.sla.forms import (
    DAY_FIELDS,
    BusinessCalendarForm,
    ChartForm,
    ClosureForm,
    HolidayImportForm,
    SimulatorForm,
)
from servicedesk.sla.models import (
    BusinessCalendar,
    CalendarClosure,
    ClockEvent,
    SlaRule,
    TicketClock,
    WeeklyHoursVersion,
)
from servicedesk.sla.planning import (
    HolidayImport,
    HolidayImportError,
    calendar_hours_change,
    holidays_apply,
    holidays_preview,
)
from servicedesk.sla.selectors import calendar_preview
from servicedesk.sla.simulator import simulate
from servicedesk.sla.tasks import calendar_replan_soon

HOLIDAY_QUERY_FIELDS = ("country", "subdivision", "first_year", "last_year")
REPLAN_STARTED = gettext_lazy(
    "Re-planning the open SLA clocks on this calendar was started in the background; "
    "due times move batch by batch as it runs."
)


class ClosureInline(admin.TabularInline):
    model = CalendarClosure
    form = ClosureForm
    extra = 1
    fields = ("date", "last_day", "name", "open_hours", "source")
    verbose_name_plural = "closures (holidays, breaks such as a winter break, half days)"


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
    list_display = ("name", "time_zone", "weekly", "is_24x7", "holiday_link")
    inlines = [ClosureInline, HoursVersionInline]
    change_form_template = "admin/sla/businesscalendar/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "time_zone", "is_24x7"]}),
        (
            "Weekly hours",
            {
                "fields": [*DAY_FIELDS, "hours_take_effect_on"],
                "description": "Several intervals a day are separated by commas; a half day is "
                "one shorter interval.",
            },
        ),
    ]

    @admin.display(description="Weekly hours")
    def weekly(self, calendar: BusinessCalendar) -> str:
        return hours_words(calendar)

    def save_model(
        self, request: HttpRequest, obj: BusinessCalendar, form: ModelForm, change: bool
    ) -> None:
        assert isinstance(form, BusinessCalendarForm)
        if change and form.hours_changed:
            calendar_hours_change(
                obj, form.previous_hours, form.cleaned_data["hours_take_effect_on"]
            )
        super().save_model(request, obj, form, change)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        calendar = BusinessCalendar.objects.filter(pk=object_id).first()
        context = dict(extra_context or {})
        if calendar is not None:
            context["preview"] = calendar_preview(calendar, timezone.localdate())
        return super().change_view(request, object_id, form_url, context)

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
        replanned = calendar_replan_soon(form.instance)
        if replanned is None:
            messages.info(request, str(REPLAN_STARTED))
        elif replanned.examined:
            messages.info(
                request, f"Re-planned {replanned.examined} open SLA clocks on this calendar."
            )

    def import_holidays(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Two steps: what the package offers for a country and years, then the chosen ones."""
        calendar = get_object_or_404(BusinessCalendar, pk=pk)
        form = HolidayImportForm(request.POST or None)
        offered = False
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            years = range(data["first_year"], data["last_year"] + 1)
            try:
                options = holidays_preview(data["country"], data["subdivision"], years)
                if "keep" in request.POST:
                    result = holidays_apply(
                        calendar,
                        country=data["country"],
                        subdivision=data["subdivision"],
                        years=years,
                        names=set(request.POST.getlist("names")),
                    )
                    return self._imported(request, calendar, result)
            except HolidayImportError as problem:
                form.add_error(None, str(problem))
            else:
                asked: dict[str, Any] = {
                    key: request.POST.get(key, "") for key in HOLIDAY_QUERY_FIELDS
                }
                form = HolidayImportForm({**asked, "names": [o.name for o in options]})
                form.offer(options)
                form.is_valid()
                offered = True
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import public holidays into {calendar}",
            "form": form,
            "calendar": calendar,
            "offered": offered,
        }
        return TemplateResponse(request, "admin/sla/holiday_import.html", context)

    def _imported(
        self, request: HttpRequest, calendar: BusinessCalendar, result: HolidayImport
    ) -> HttpResponse:
        replanned = calendar_replan_soon(calendar)
        messages.success(
            request,
            f"Added {result.added} holidays from {result.source} ({result.kept} already there); "
            + (
                str(REPLAN_STARTED)
                if replanned is None
                else f"re-planned {replanned.examined} open clocks."
            ),
        )
        url = reverse("admin:sla_businesscalendar_change", args=[calendar.pk])
        return HttpResponseRedirect(url)

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
    list_display = (
        "metric",
        "position",
        "name",
        "target",
        "before_code",
        "calendar",
        "is_active",
    )
    list_filter = ("metric", "is_active", "before_code", "target_kind")
    search_fields = ("name",)
    ordering = ("metric", "position")

    def get_urls(self) -> list[URLPattern]:
        own = [path("chart/", self.admin_site.admin_view(self.chart), name="sla_chart")]
        return own + super().get_urls()

    def chart(self, request: HttpRequest) -> HttpResponse:
        """For any combination of ticket facts: which target wins for each metric, and why."""
        form = ChartForm(request.GET or None)
        verdicts = chart_verdicts(form.facts()) if form.is_bound and form.is_valid() else None
        context = {
            **self.admin_site.each_context(request),
            "title": "SLA chart: which target wins",
            "form": form,
            "verdicts": verdicts,
        }
        return TemplateResponse(request, "admin/sla/chart.html", context)

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
