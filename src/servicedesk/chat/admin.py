from django.contrib import admin

from servicedesk.chat.models import AgentChatStatus


@admin.register(AgentChatStatus)
class AgentChatStatusAdmin(admin.ModelAdmin):
    """Where an administrator sets how many chats an agent may hold at once."""

    list_display = ("agent", "available", "max_chats", "changed_at")
    list_editable = ("max_chats",)
    readonly_fields = ("available", "changed_at")
    autocomplete_fields = ("agent",)
    search_fields = ("agent__username", "agent__first_name", "agent__last_name")
