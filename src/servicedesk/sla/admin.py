from django.contrib import admin

from servicedesk.sla.models import BusinessCalendar, CalendarClosure


class ClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "is_24x7")
    inlines = [ClosureInline]
