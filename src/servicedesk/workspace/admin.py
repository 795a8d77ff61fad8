"""The odd-hour review log (the school district's SLA procedure), read-only: reviews and the
reminder's decisions are history, so the admin lists them and nobody adds, edits or deletes one."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.workspace.models import NewQueueReview, NewQueueReviewCheck


class LogAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NewQueueReview)
class NewQueueReviewAdmin(LogAdmin):
    list_display = ("reviewed_at", "reviewer", "waiting", "oldest_waiting_since")
    list_select_related = ("reviewer",)
    date_hierarchy = "reviewed_at"


@admin.register(NewQueueReviewCheck)
class NewQueueReviewCheckAdmin(LogAdmin):
    list_display = ("slot", "outcome", "waiting", "oldest_waiting_since", "reminded", "checked_at")
    list_filter = ("outcome",)
    date_hierarchy = "slot"
