"""What the API keeps of its own: personal tokens and the monitoring alerts it has turned into
incidents. Tickets themselves are written only by `tickets.services`."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from servicedesk.core.audit import audited
from servicedesk.core.crypto import EncryptedTextField

PERSON = settings.AUTH_USER_MODEL


@audited(exclude=("last_used_at",), secrets=("secret_hash",))
class ApiToken(models.Model):
    """A personal token: `sd_<prefix>_<secret>`. Only a SHA-256 hash of the whole token is kept,
    so a leaked database row cannot be replayed; the prefix finds the row without a scan."""

    owner = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at: datetime | None = None) -> bool:
        now = at or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


@audited()
class MonitoredResource(models.Model):
    """Maps a monitored resource name (a shell-style pattern, e.g. `db-*.example.org`) to the
    service its incidents belong to; the first match by position wins."""

    pattern = models.CharField(max_length=200)
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.service}"


class MonitoringAlert(models.Model):
    """One monitored condition that is (or was) a problem, and the incident it opened.

    At most one open alert per dedupe key: repeats of the problem bump `occurrences` on it."""

    dedupe_key = models.CharField(max_length=255)
    source = models.CharField(max_length=100)
    resource = models.CharField(max_length=200)
    check_name = models.CharField(max_length=200)  # `check` would shadow Model.check()
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="+")
    occurrences = models.PositiveIntegerField(default=1)
    last_message = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(
        null=True, blank=True, help_text="When the monitor last reported the check as ok."
    )
    is_open = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(is_open=True), name="alert_one_open_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dedupe_key} ×{self.occurrences}"


@audited(secrets=("secret",))
class WebhookSubscription(models.Model):
    """Someone's endpoint that wants to hear about ticket events, signed with `secret`.

    It carries its owner's scope (`tickets.access`): only events of tickets the owner may know,
    internal notes only if the owner may read them, nothing once the owner is deactivated."""

    owner = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(help_text="Event types to deliver, e.g. ticket.created.")
    # Kept decryptable because every delivery is signed with it; shown to the owner once, and
    # encrypted at rest (core/crypto.py).
    secret = EncryptedTextField(editable=False)
    allow_private = models.BooleanField(
        default=False,
        help_text="Set by an administrator: may target loopback, private or unlisted hosts.",
    )
    organisation_wide = models.BooleanField(
        default=False,
        help_text="Set by an administrator: hears of every ticket, not only those its owner "
        "may know (while the owner is an active administrator).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.event_types)})"


class WebhookDeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed for good"


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row and, once tried, its delivery log."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(editable=False)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(
        max_length=12, choices=WebhookDeliveryState.choices, default=WebhookDeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_one_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id}: {self.state}"
