"""Tokens are shown to admins without their hash being editable; revoke with the action."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from servicedesk.api.models import ApiToken, MonitoredResource, MonitoringAlert
from servicedesk.api.services import token_revoke
from servicedesk.directory.models import Person


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "owner__username")
    readonly_fields = (
        "owner",
        "name",
        "prefix",
        "secret_hash",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A token's secret must be shown once to its owner: `servicedesk api_token` does that.
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request.user
        assert isinstance(actor, Person)
        for token in queryset:
            token_revoke(token, actor)


@admin.register(MonitoredResource)
class MonitoredResourceAdmin(admin.ModelAdmin):
    list_display = ("pattern", "service", "position")
    list_editable = ("position",)


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(admin.ModelAdmin):
    list_display = ("dedupe_key", "ticket", "occurrences", "is_open", "last_seen_at")
    list_filter = ("is_open", "source")
    search_fields = ("dedupe_key", "resource", "ticket__number")
    readonly_fields = [field.name for field in MonitoringAlert._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
