"""Who has a ticket open in the workspace right now (a heartbeat every few seconds).

A table rather than the cache: the web server runs several processes, and each has its own
local-memory cache; a row per (ticket, person) is shared by all of them and costs one upsert.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TicketPresence(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "person"], name="presence_unique")]
        indexes = [models.Index(fields=["ticket", "seen_at"], name="presence_ticket_seen")]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.ticket_id} at {self.seen_at:%H:%M:%S}"
