"""The in-app inbox, the mail outbox, the mail templates and each person's preferences.

Rows here are written by `notifications.services` (inside the transaction of the change that
causes them) and by `notifications.delivery` (after commit, when the worker sends the mail).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Template, TemplateSyntaxError
from django.utils import timezone

from servicedesk.core.audit import audited
from servicedesk.notifications.choices import DeliveryState, MailPriority, NotificationKind

PERSON = settings.AUTH_USER_MODEL


class Notification(models.Model):
    """One line in a person's in-app inbox."""

    recipient = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"


class OutboundEmail(models.Model):
    """One mail to one address: written with the change, delivered after commit, with retries."""

    to_address = models.EmailField(max_length=254)
    recipient = models.ForeignKey(
        PERSON, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text="Sanitised (nh3) before it is stored.")
    headers = models.JSONField(default=dict, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event = models.CharField(max_length=40, help_text="The ticket event that caused it.")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    priority = models.SmallIntegerField(
        choices=MailPriority.choices, default=MailPriority.INTERACTIVE
    )
    attempts = models.PositiveIntegerField(default=0)
    # The lease of the worker sending it now (notifications.delivery): it fences stale workers.
    claimed_by = models.CharField(max_length=32, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # "<event identity>|<address>": one event never yields two mails to one address.
    dedupe_key = models.CharField(max_length=400, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbound e-mail"
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(
                fields=["priority", "next_attempt_at"],
                condition=models.Q(state=DeliveryState.PENDING),
                name="outbox_claim_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address} ({self.state})"


def validate_template(source: str) -> None:
    try:
        Template(source)
    except TemplateSyntaxError as broken:
        raise ValidationError(f"This template does not compile: {broken}") from broken


@audited()
class MailTemplate(models.Model):
    """The subject and text of one kind of mail, in Django's template language.

    The HTML part is the same text rendered with autoescaping, then sanitised; admins edit text.
    """

    kind = models.CharField(max_length=40, choices=NotificationKind.choices, unique=True)
    subject_template = models.CharField(max_length=300, validators=[validate_template])
    text_template = models.TextField(validators=[validate_template])
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class NotificationPreference(models.Model):
    """What a person wants by mail besides what they always get (acknowledgement, resolution).

    In-app notifications are always written; these switches only govern mail.
    """

    person = models.OneToOneField(
        PERSON, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_status_updates = models.BooleanField(default=True)
    email_replies = models.BooleanField(default=True)
    email_assignments = models.BooleanField(default=True)
    email_sla_alerts = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"preferences of {self.person_id}"


@audited()
class UndeliverableAddress(models.Model):
    """An address whose mail bounced: nothing more is sent to it until someone clears the mark
    (after fixing the address in the directory, say). Marking and clearing are both audited."""

    address = models.CharField(max_length=254, unique=True, help_text="Lower case.")
    reason = models.TextField(blank=True, help_text="What the bounce said (status, diagnostic).")
    bounced_at = models.DateTimeField(default=timezone.now)
    bounces = models.PositiveIntegerField(default=1)
    outbound = models.ForeignKey(
        OutboundEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The mail of ours that bounced.",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        PERSON, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-bounced_at", "-id"]
        indexes = [models.Index(fields=["cleared_at"], name="undeliverable_marked")]

    def __str__(self) -> str:
        return self.address

    @property
    def is_marked(self) -> bool:
        return self.cleared_at is None
