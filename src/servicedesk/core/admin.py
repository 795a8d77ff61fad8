"""The audit of configuration, for admins: read-only, filterable by model, person and door."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from servicedesk.core.models import ConfigChange


@admin.register(ConfigChange)
class ConfigChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "via", "model", "object_repr", "action", "fields_changed")
    list_filter = ("model", ("actor", admin.RelatedOnlyFieldListFilter), "via", "action")
    search_fields = ("object_repr", "actor__username")
    date_hierarchy = "at"
    fields = ("at", "actor", "via", "model", "object_id", "object_repr", "action", "changes_table")
    readonly_fields = fields
    list_select_related = ("actor",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Fields")
    def fields_changed(self, entry: ConfigChange) -> str:
        return ", ".join(entry.changes)

    @admin.display(description="Changes (before → after)")
    def changes_table(self, entry: ConfigChange) -> str:
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((name, _shown(pair[0]), _shown(pair[1])) for name, pair in entry.changes.items()),
        )
        return format_html(
            "<table><thead><tr><th>field</th><th>before</th><th>after</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)
