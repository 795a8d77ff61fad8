from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from servicedesk.directory.models import Agency, ExternalHelpDesk, Location, Person, SupportGroup


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
    list_display = ("name", "tier", "lead", "email", "is_active")
    list_filter = ("tier", "is_active")
    filter_horizontal = ("members",)


@admin.register(ExternalHelpDesk)
class ExternalHelpDeskAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email", "hours", "is_active")
