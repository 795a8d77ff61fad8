from typing import Any

from django.contrib import admin

from servicedesk.catalog.models import (
    Category,
    PriorityCode,
    PriorityCodeTarget,
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
    fields = ("code", "name", "description", "sla")
    readonly_fields = ("sla",)
    show_change_link = True

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("category").prefetch_related("targets")

    @admin.display(description="SLA (open the code to change it)")
    def sla(self, code: PriorityCode) -> str:
        return (code.target or "no defined SLA") if code.pk else ""


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "is_scheduled_work")
    list_filter = ("is_scheduled_work",)
    inlines = [PriorityCodeInline]


class PriorityCodeTargetInline(admin.TabularInline):
    """The code's SLA, one line per metric: a target, or no SLA (the clock pauses, or no clock
    runs). A metric left out falls to the SLA rules."""

    model = PriorityCodeTarget
    extra = 0
    fields = ("metric", "target_kind", "minutes", "days", "cutoff", "calendar")


@admin.register(PriorityCode)
class PriorityCodeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category")
    list_filter = ("category",)
    list_select_related = ("category",)
    inlines = [PriorityCodeTargetInline]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("targets")


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
    fields = (
        "metric",
        "position",
        "name",
        "before_code",
        "target_kind",
        "minutes",
        "days",
        "is_active",
    )
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
