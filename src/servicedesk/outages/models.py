"""Status entries (an outage, a degradation or planned maintenance of one service) and their
public updates. Written only by `outages.services`; read through `outages.selectors`.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.outages.choices import StatusKind, UpdateStage

PERSON = settings.AUTH_USER_MODEL


class StatusEntry(models.Model):
    """What everyone should know about a service right now, or soon (maintenance).

    `incident` is the ticket the desk works the outage under; the major-incident issue will make
    it the major incident. Employees who say "this is my issue" join that ticket as affected.
    """

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="status_entries"
    )
    kind = models.CharField(max_length=12, choices=StatusKind.choices)
    title = models.CharField(max_length=160)
    message = models.TextField(help_text="Public: every signed-in employee reads it.")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Planned end of maintenance, or the expected restore time of an outage.",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_entries",
    )
    created_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name_plural = "status entries"
        indexes = [models.Index(fields=["resolved_at", "starts_at"], name="status_open_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_maintenance(self) -> bool:
        return self.kind == StatusKind.MAINTENANCE

    def is_current(self, now: datetime) -> bool:
        """Started, not resolved, and (for maintenance) not past its planned end."""
        if self.resolved_at is not None or self.starts_at > now:
            return False
        return not (self.is_maintenance and self.ends_at is not None and self.ends_at <= now)

    def finished_at(self) -> datetime | None:
        """When it ended: resolved, or maintenance that ran to its planned end."""
        if self.resolved_at is not None:
            return self.resolved_at
        return self.ends_at if self.is_maintenance else None


class StatusUpdate(models.Model):
    """One public, timestamped word on an entry: "Identified: the mail relay is full"."""

    entry = models.ForeignKey(StatusEntry, on_delete=models.CASCADE, related_name="updates")
    stage = models.CharField(max_length=16, choices=UpdateStage.choices)
    message = models.TextField()
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.message[:40]}"
