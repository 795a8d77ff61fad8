"""Knowledge articles, what readers say about them, and known errors with their workarounds.

Rows here are written only by `knowledge.services`; read them through `knowledge.selectors`.
The `search_*` columns hold the words of the readable fields, normalised by `knowledge.search`;
the services refill them on every save.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.knowledge.choices import ArticleState, KnownErrorState

PERSON = settings.AUTH_USER_MODEL


class Article(models.Model):
    title = models.CharField(max_length=200)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences shown in search results."
    )
    body = models.TextField(blank=True, help_text="Plain text; blank lines separate paragraphs.")
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Other words people use for this, comma-separated."
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=12, choices=ArticleState.choices, default=ArticleState.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change.")
    search_heading = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["state", "category"], name="article_state_category")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == ArticleState.PUBLISHED


class ArticleFeedback(models.Model):
    """One reader's "did this help?", which they may change; an optional comment for authors."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "article feedback"
        constraints = [
            models.UniqueConstraint(fields=["article", "person"], name="feedback_one_per_person")
        ]

    def __str__(self) -> str:
        return (
            f"{'helpful' if self.helpful else 'not helpful'}: {self.article_id} by {self.person_id}"
        )


class KnownError(models.Model):
    """A fault whose cause is known or being chased, and how people can work around it."""

    title = models.CharField(max_length=200)
    symptoms = models.TextField(help_text="What people see, in their words.")
    root_cause = models.TextField(blank=True)
    workaround = models.TextField()
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    problem = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="known_errors",
        limit_choices_to={"kind": "problem"},
        help_text="The problem ticket chasing the root cause.",
    )
    state = models.CharField(
        max_length=12, choices=KnownErrorState.choices, default=KnownErrorState.OPEN, db_index=True
    )
    close_note = models.TextField(blank=True)
    created_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change.")
    search_heading = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"KE{self.pk:05d}: {self.title}" if self.pk else self.title

    @property
    def reference(self) -> str:
        return f"KE{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.state == KnownErrorState.OPEN
