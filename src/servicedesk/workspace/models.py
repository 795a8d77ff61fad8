"""Who has a ticket open in the workspace right now (a heartbeat every few seconds).

A table rather than the cache: the web server runs several processes, and each has its own
local-memory cache; a row per (ticket, person) is shared by all of them and costs one upsert.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.core.models import AppendOnlyModel


class TicketPresence(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "person"], name="presence_unique")]
        indexes = [models.Index(fields=["ticket", "seen_at"], name="presence_ticket_seen")]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.ticket_id} at {self.seen_at:%H:%M:%S}"


class SavedView(models.Model):
    """An agent's own named queue: a base queue plus the filters, sort and search they chose.

    `query` holds only the allow-listed parameters (see `workspace.saved_views.VIEW_PARAMETERS`),
    url-encoded, so opening the view is the same as opening the queue with that query string.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    queue = models.CharField(max_length=30)
    query = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["owner", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class CannedResponse(models.Model):
    """A reply an agent inserts and then edits: personal (`owner`), for one support group
    (`group`), or for every agent (neither). Placeholders are filled by
    `workspace.canned.canned_text`, never by the template engine."""

    title = models.CharField(max_length=80)
    body = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
    )
    group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True) | models.Q(group__isnull=True),
                name="canned_personal_or_group",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audience(self) -> str:
        if self.owner_id:
            return "Only me"
        if self.group_id:
            return str(self.group)
        return "Everyone"


class NewQueueReview(AppendOnlyModel):
    """The school district's SLA procedure: someone of the desk reviewed the uncategorized (New)
    queue. Append-only: the log of the odd-hour routine, never edited or deleted (a database trigger
    refuses UPDATE)."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    waiting = models.PositiveIntegerField(help_text="Tickets in the queue the reviewer saw.")
    oldest_waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="When the oldest of them arrived; empty: none waited."
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["reviewed_at"], name="new_queue_review_at")]

    def __str__(self) -> str:
        return f"{self.reviewed_at:%Y-%m-%d %H:%M} by {self.reviewer_id}: {self.waiting} waiting"


class ReviewReminderOutcome(models.TextChoices):
    REMINDED = "reminded", "Desk reminded"
    REVIEWED = "reviewed", "Already reviewed"
    EMPTY = "empty", "Queue empty"


class NewQueueReviewCheck(AppendOnlyModel):
    """The reminder job's one decision per odd-hour slot. The unique slot is the claim: of two
    workers checking the same slot, only the one whose row is written reminds anyone."""

    slot = models.DateTimeField(unique=True, help_text="The odd hour the review was due.")
    checked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=ReviewReminderOutcome.choices)
    waiting = models.PositiveIntegerField()
    oldest_waiting_since = models.DateTimeField(null=True, blank=True)
    reminded = models.PositiveIntegerField(default=0, help_text="How many people were told.")

    class Meta:
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.slot:%Y-%m-%d %H:%M}: {self.outcome}"
