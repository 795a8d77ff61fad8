"""Tickets are changed only through services (so history is never skipped): read-only here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.core.read_only_admin import ReadOnlyAdmin
from servicedesk.tickets.models import NumberCounter, Ticket, TicketHistory


class HistoryInline(admin.TabularInline):
    model = TicketHistory
    fields = ("at", "actor", "action", "field", "before", "after")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "short_description", "state", "priority", "assignment_group")
    list_filter = ("kind", "state", "priority", "channel")
    search_fields = ("number", "short_description")
    inlines = [HistoryInline]


@admin.register(NumberCounter)
class NumberCounterAdmin(ReadOnlyAdmin):
    list_display = ("kind", "last")
