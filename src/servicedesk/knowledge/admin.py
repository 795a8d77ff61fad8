"""Articles and known errors are written through `knowledge.services` (search words, versions):
the admin shows them and their feedback read-only; authors use the workspace."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.knowledge.models import Article, ArticleFeedback, KnownError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "state", "category", "service", "published_at", "updated_at")
    list_filter = ("state", "category", "service")
    search_fields = ("title", "keywords")
    exclude = ("search_heading", "search_body")


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("article", "person", "helpful", "updated_at")
    list_filter = ("helpful",)


@admin.register(KnownError)
class KnownErrorAdmin(ReadOnlyAdmin):
    list_display = ("title", "state", "service", "problem", "created_at")
    list_filter = ("state", "service")
    search_fields = ("title", "symptoms")
    exclude = ("search_heading", "search_body")
