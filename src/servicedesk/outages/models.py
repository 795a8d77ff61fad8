"""Status entries (an outage, a degradation or planned maintenance of one service) and their
public updates. Written only by `outages.services`; read through `outages.selectors`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.outages.choices import (
    Audience,
    CommunicationKind,
    DeclaredFrom,
    StatusKind,
    UpdateStage,
)

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


# --- Major incidents and their communications ------------------------------------------------


class CommunicationPlan(models.Model):
    """Who is told at once when a major incident is declared on a service.

    Kept in outages (not the catalog): it is the outage procedure's, and the catalog stays a
    description of what the desk offers."""

    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, related_name="communication_plan"
    )
    notify_roles: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "directory.ContactRole",
        blank=True,
        related_name="+",
        help_text="Everyone holding one of these roles is told on declaration.",
    )
    on_call_group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The support group whose on-call person is paged.",
    )
    partner_lists: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "directory.DistributionList",
        blank=True,
        related_name="+",
        help_text="The partners advised of outages of this service.",
    )
    contact_roles: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "directory.ContactRole",
        blank=True,
        related_name="+",
        help_text="Named contacts (of the affected agencies) told of updates.",
    )

    def __str__(self) -> str:
        return f"Communication plan of {self.service}"


class MajorIncident(models.Model):
    """An incident declared major: its ticket is the parent of every related report."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="major_incident"
    )
    status_entry = models.OneToOneField(
        StatusEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="major_incident",
    )
    declared_from = models.CharField(max_length=12, choices=DeclaredFrom.choices)
    declared_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)
    all_users = models.BooleanField(
        default=False, help_text="Every user is affected, not only the agencies of the reports."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.TextField(blank=True)
    problem = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-declared_at", "-id"]

    def __str__(self) -> str:
        return f"Major incident {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Communication(models.Model):
    """One update, written once, sent to the audiences chosen; or a correction or withdrawal of
    an earlier one (`corrects`)."""

    major_incident = models.ForeignKey(
        MajorIncident, on_delete=models.CASCADE, related_name="communications"
    )
    kind = models.CharField(max_length=12, choices=CommunicationKind.choices)
    stage = models.CharField(max_length=16, choices=UpdateStage.choices)
    message = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False)
    audiences = models.JSONField(default=list)
    partner_lists: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "directory.DistributionList", blank=True, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    status_update = models.ForeignKey(
        StatusUpdate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_stage_display()}): {self.message[:40]}"


class CommunicationSend(models.Model):
    """One audience of one communication: how many were reached, and which addresses (so a
    correction reaches exactly those who got the original)."""

    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="sends")
    audience = models.CharField(max_length=12, choices=Audience.choices)
    recipient_count = models.PositiveIntegerField()
    addresses = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.audience}: {self.recipient_count}"


class GreetingText(models.Model):
    """The phone system's greeting, as published: the latest row is in force; rows are never
    changed, so the list is its history."""

    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.published_at:%Y-%m-%d %H:%M}: {self.text[:40]}"
