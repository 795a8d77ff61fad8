"""Admin: the outbox (pending and failed deliveries, with "retry"), templates, preferences."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from servicedesk.directory.models import Person
from servicedesk.notifications.bounces import address_clear
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.models import (
    MailTemplate,
    Notification,
    NotificationPreference,
    OutboundEmail,
    UndeliverableAddress,
)
from servicedesk.notifications.services import outbox_retry


class UndeliveredFilter(admin.SimpleListFilter):
    """Opens on what needs attention: pending and failed mail, not the sent archive."""

    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("undelivered", "Pending or failed"),
            (DeliveryState.PENDING, "Pending"),
            (DeliveryState.FAILED, "Failed"),
            (DeliveryState.SENT, "Sent"),
            ("all", "All"),
        ]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "undelivered") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or "undelivered"
        if value == "all":
            return queryset
        if value == "undelivered":
            return queryset.filter(state__in=[DeliveryState.PENDING, DeliveryState.FAILED])
        return queryset.filter(state=value)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to_address",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = (UndeliveredFilter, "kind")
    search_fields = ("to_address", "subject", "ticket__number")
    actions = ["retry"]
    # Every field read-only: an edited delivery record would no longer say what was sent.
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry delivery now")
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        count = outbox_retry(queryset)
        self.message_user(request, f"{count} mail(s) queued for delivery.", messages.SUCCESS)


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject_template", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = (
        "person",
        "email_status_updates",
        "email_replies",
        "email_assignments",
        "email_sla_alerts",
    )


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "bounced_at", "bounces", "reason", "cleared_at", "cleared_by")
    list_filter = (("cleared_at", admin.EmptyFieldListFilter),)
    search_fields = ("address",)
    readonly_fields = ("bounced_at", "bounces", "outbound", "cleared_at", "cleared_by")
    actions = ["clear"]

    @admin.action(description="Clear the mark (mail goes out again)")
    def clear(self, request: HttpRequest, queryset: QuerySet[UndeliverableAddress]) -> None:
        actor = request.user
        assert isinstance(actor, Person)
        for mark in queryset:
            address_clear(mark, actor=actor)
        self.message_user(request, f"{queryset.count()} mark(s) cleared.", messages.SUCCESS)
