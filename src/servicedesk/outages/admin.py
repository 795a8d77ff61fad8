from django.contrib import admin

from servicedesk.outages.models import CommunicationPlan, GreetingText, MajorIncident


@admin.register(CommunicationPlan)
class CommunicationPlanAdmin(admin.ModelAdmin):
    list_display = ("service", "on_call_group")
    filter_horizontal = ("notify_roles", "partner_lists", "contact_roles")


@admin.register(MajorIncident)
class MajorIncidentAdmin(admin.ModelAdmin):
    """Read-only: major incidents change through the workspace (their history is the ticket's)."""

    list_display = ("ticket", "declared_at", "declared_by", "resolved_at")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(GreetingText)
class GreetingTextAdmin(admin.ModelAdmin):
    """The greeting's history; a new text is published from a major incident's composer."""

    list_display = ("published_at", "text", "published_by")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
