"""The odd-hour review log (the school district's SLA procedure), read-only: reviews and the
reminder's decisions are history, so the admin lists them and nobody adds, edits or deletes one."""

from django.contrib import admin

from servicedesk.core.read_only_admin import ReadOnlyAdmin
from servicedesk.workspace.models import NewQueueReview, NewQueueReviewCheck


@admin.register(NewQueueReview)
class NewQueueReviewAdmin(ReadOnlyAdmin):
    list_display = ("reviewed_at", "reviewer", "waiting", "oldest_waiting_since")
    list_select_related = ("reviewer",)
    date_hierarchy = "reviewed_at"


@admin.register(NewQueueReviewCheck)
class NewQueueReviewCheckAdmin(ReadOnlyAdmin):
    list_display = ("slot", "outcome", "waiting", "oldest_waiting_since", "reminded", "checked_at")
    list_filter = ("outcome",)
    date_hierarchy = "slot"
