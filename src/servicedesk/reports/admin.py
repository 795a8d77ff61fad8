from django.contrib import admin

from servicedesk.reports.models import ShiftReportSchedule, ShiftReportSend, Subscription


@admin.register(ShiftReportSchedule)
class ShiftReportScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "send_at", "calendar", "distribution_list", "is_active")
    list_filter = ("kind", "is_active")
    readonly_fields = ("note_by", "note_at", "last_sent_at")


@admin.register(ShiftReportSend)
class ShiftReportSendAdmin(admin.ModelAdmin):
    """What was sent, read-only: the record is append-only."""

    list_display = ("sent_at", "schedule", "subject", "sent_by")
    readonly_fields = [field.name for field in ShiftReportSend._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "viewer", "distribution_list", "time_zone", "cancelled_at")
    list_filter = ("frequency", "source")
    readonly_fields = ("key", "created_by", "created_at", "last_sent_at")
