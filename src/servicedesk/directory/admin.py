from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from servicedesk.directory.models import (
    Agency,
    ContactRole,
    ContactRoleHolder,
    DirectoryGroupRule,
    DistributionList,
    ExternalHelpDesk,
    Location,
    OnCallOverride,
    OnCallRota,
    OnCallSlot,
    Person,
    SupportGroup,
    TwoFactorRequirement,
)


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role", "agency", "is_active")
    list_filter = ("role", "agency", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Service desk",
            {"fields": ("role", "agency", "location", "phone", "job_title", "time_zone")},
        ),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "network", "calendar")
    list_filter = ("network", "agency")


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "lead", "serves", "email", "is_active")
    list_filter = ("tier", "is_active", "agencies")
    filter_horizontal = ("members", "agencies")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupportGroup]:
        return super().get_queryset(request).prefetch_related("agencies")

    @admin.display(description="Serves")
    def serves(self, group: SupportGroup) -> str:
        """What scoping reads: an empty list is every agency, not none."""
        return ", ".join(agency.code for agency in group.agencies.all()) or "every agency"


@admin.register(ExternalHelpDesk)
class ExternalHelpDeskAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email", "hours", "is_active")


@admin.register(DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ("name", "is_external", "is_active")
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(DirectoryGroupRule)
class DirectoryGroupRuleAdmin(admin.ModelAdmin):
    list_display = ("directory_group", "source", "role", "support_group", "agency")
    list_filter = ("source", "role")
    search_fields = ("directory_group",)
    autocomplete_fields = ("agency",)


@admin.register(TwoFactorRequirement)
class TwoFactorRequirementAdmin(admin.ModelAdmin):
    list_display = ("role",)


class ContactRoleHolderInline(admin.TabularInline):
    model = ContactRoleHolder
    extra = 0
    autocomplete_fields = ("person",)


@admin.register(ContactRole)
class ContactRoleAdmin(admin.ModelAdmin):
    list_display = ("name",)
    inlines = [ContactRoleHolderInline]


class OnCallSlotInline(admin.TabularInline):
    model = OnCallSlot
    extra = 0


class OnCallOverrideInline(admin.TabularInline):
    model = OnCallOverride
    extra = 0


@admin.register(OnCallRota)
class OnCallRotaAdmin(admin.ModelAdmin):
    list_display = ("group", "starts_on", "handover_time", "meeting_time")
    inlines = [OnCallSlotInline, OnCallOverrideInline]
