from django.contrib import admin

from servicedesk.catalog.models import (
    Category,
    PriorityCode,
    PriorityMatrixCell,
    RequestType,
    Service,
    ServiceDependency,
)


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


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_priority", "default_category")


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(admin.ModelAdmin):
    list_display = ("severity", "impact", "priority")
    list_editable = ("priority",)
