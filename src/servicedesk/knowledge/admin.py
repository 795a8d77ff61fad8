"""Articles and known errors are written through `knowledge.services` (search words, versions):
the admin shows them and their feedback read-only (nothing added, changed or deleted there);
authors use the workspace."""

from django.contrib import admin

from servicedesk.core.read_only_admin import ReadOnlyAdmin
from servicedesk.knowledge.models import Article, ArticleFeedback, KnownError


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
