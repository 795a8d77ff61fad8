from typing import Any

from django.contrib import admin

from servicedesk.catalog.models import (
    Category,
    PriorityCode,
    PriorityMatrixCell,
    RequestType,
    RequestTypeField,
    Service,
    ServiceDependency,
)
from servicedesk.sla.models import SlaRule


class DependencyInline(admin.TabularInline):
    model = ServiceDependency
    fk_name = "service"
    extra = 0
    verbose_name = "depends on"


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "default_group", "is_active")
    search_fields = ("name",)
    inlines = [DependencyInline]


class PriorityCodeInline(admin.TabularInline):
    model = PriorityCode
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("number", "name")
    inlines = [PriorityCodeInline]


class RequestTypeFieldInline(admin.StackedInline):
    """The request type's form: each question, its kind, whether it is required, when shown."""

    model = RequestTypeField
    extra = 0
    fields = (
        ("position", "key", "label"),
        ("kind", "required"),
        "help_text",
        "options",
        ("shown_when", "shown_when_value"),
    )
    prepopulated_fields = {"key": ("label",)}


class SlaRuleInline(admin.TabularInline):
    """The request type's SLA targets are the SLA rules that name it (tried in position order
    with every other rule; see the SLA rules page)."""

    model = SlaRule
    extra = 0
    fields = ("metric", "position", "name", "target_kind", "minutes", "days", "is_active")
    verbose_name = "SLA target"
    verbose_name_plural = "SLA targets (rules naming this request type)"


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_offered", "default_priority", "default_category")
    list_filter = ("is_offered", "default_category")
    search_fields = ("name", "description", "keywords")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [RequestTypeFieldInline, SlaRuleInline]

    def get_formsets_with_inlines(self, request: Any, obj: Any = None) -> Any:
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if isinstance(inline, RequestTypeFieldInline) and obj is not None:
                # "Shown when" offers only this type's own questions.
                field = formset.form.base_fields["shown_when"]
                field.queryset = RequestTypeField.objects.filter(request_type=obj)
            yield formset, inline


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(admin.ModelAdmin):
    list_display = ("severity", "impact", "priority")
    list_editable = ("priority",)
