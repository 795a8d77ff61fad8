"""Mailboxes we read, and every message that reached us, kept as it arrived."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.core.audit import audited
from servicedesk.core.crypto import EncryptedTextField
from servicedesk.core.models import AppendOnlyModel
from servicedesk.mail.choices import (
    CcPolicy,
    HoldReason,
    InboundState,
    OAuthProvider,
    ReviewAction,
    TransportSecurity,
)
from servicedesk.tickets.choices import TicketKind

# What mail can file: the desk opens problems and tasks itself.
MAILED_KINDS = (TicketKind.INCIDENT, TicketKind.REQUEST)


@audited(secrets=("client_secret",))
class OAuthApplication(models.Model):
    """The desk's app registration at a mail provider (Entra ID, Google Cloud): mailboxes sign
    in through it. Its redirect URI is the admin's "OAuth callback" address (docs/deploy.md)."""

    name = models.CharField(max_length=120, unique=True)
    provider = models.CharField(max_length=12, choices=OAuthProvider.choices)
    client_id = models.CharField("client ID", max_length=300)
    client_secret = EncryptedTextField(blank=True)
    tenant = models.CharField(
        max_length=200,
        blank=True,
        help_text="Microsoft only: your tenant's ID or domain. Empty: 'organizations'.",
    )
    authorization_url = models.URLField(
        "authorization URL", max_length=500, blank=True, help_text="Empty: the provider's."
    )
    token_url = models.URLField(
        "token URL", max_length=500, blank=True, help_text="Empty: the provider's."
    )
    scopes = models.CharField(
        max_length=500,
        blank=True,
        help_text="Space-separated. Empty: the provider's scopes for IMAP and SMTP.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "OAuth 2.0 application"

    def __str__(self) -> str:
        return self.name


@audited(exclude=("last_fetched_at", "last_error"), secrets=("imap_password",))
class Mailbox(models.Model):
    """A desk address: read over IMAP (if a host is set) or fed by the SMTP receiver.

    New tickets from it are of its default kind, routed to its agency, service and/or default
    group.
    """

    name = models.CharField(max_length=120, unique=True)
    address = models.EmailField(
        unique=True, help_text="The desk address people write to (matches SMTP recipients)."
    )
    imap_host = models.CharField(max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_user = models.CharField(max_length=200, blank=True)
    imap_password = EncryptedTextField(blank=True)
    imap_folder = models.CharField(max_length=200, default="INBOX")
    imap_security = models.CharField(
        "IMAP security",
        max_length=10,
        choices=TransportSecurity.choices,
        default=TransportSecurity.TLS,
    )
    oauth_application = models.ForeignKey(
        OAuthApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
        verbose_name="OAuth 2.0 application",
        help_text="Sign in to IMAP and SMTP with OAuth 2.0 (XOAUTH2) through this application "
        "instead of the password (Microsoft 365 and Google require it). Save, then Connect.",
    )
    smtp_host = models.CharField(
        "SMTP host",
        max_length=200,
        blank=True,
        help_text="Send mail about this mailbox's tickets through this server, signed in as "
        "the IMAP user (e.g. smtp.office365.com, smtp.gmail.com). Empty: the desk's server.",
    )
    smtp_port = models.PositiveIntegerField("SMTP port", default=587)
    smtp_security = models.CharField(
        "SMTP security",
        max_length=10,
        choices=TransportSecurity.choices,
        default=TransportSecurity.STARTTLS,
    )
    from_address = models.CharField(
        "From address",
        max_length=254,
        blank=True,
        help_text="Mail about tickets that came in by this mailbox goes out from this address "
        "(e.g. IT Service Desk <it@example.org>). Empty: the mailbox's address when it has its "
        "own SMTP host, else the desk's default sender.",
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    default_kind = models.CharField(
        "default kind",
        max_length=10,
        choices=[(kind.value, kind.label) for kind in MAILED_KINDS],
        default=TicketKind.INCIDENT,
        help_text="What a new mail to this address files: an incident, or a service request "
        "(e.g. an orders@ address). Agents can convert a ticket afterwards.",
    )
    assignment_group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="default group",
        help_text="The group new tickets from this address are assigned to.",
    )
    authserv_id = models.CharField(
        "authserv-id",
        max_length=200,
        blank=True,
        help_text="The name our receiving mail server puts first in its Authentication-Results "
        "header (e.g. mx.example.org). Mail from a staff address is posted as staff only when "
        "that header says it passed DMARC; empty: never.",
    )
    trusted = models.BooleanField(
        default=False,
        help_text="Staff replies by mail may change a ticket's state (reopen it). Otherwise "
        "they are only ever comments.",
    )
    cc_become = models.CharField(
        "people in Cc become",
        max_length=10,
        choices=CcPolicy.choices,
        default=CcPolicy.WATCHERS,
        help_text="Directory people in the Cc of a new mail (or of the requester's reply): "
        "watchers follow the ticket if they may see it; affected people are let in.",
    )
    is_active = models.BooleanField(default=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


# Refreshing rotates tokens every hour: only connecting and disconnecting are configuration.
@audited(fields=("mailbox", "account", "connected_at", "connected_by"))
class MailboxOAuthToken(models.Model):
    """A mailbox's consent: the refresh token an admin's sign-in at the provider gave us, and
    the current access token. Both are encrypted at rest."""

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, related_name="oauth_token")
    account = models.CharField(
        max_length=254, blank=True, help_text="Who signed in at the provider, if it said."
    )
    refresh_token = EncryptedTextField()
    access_token = EncryptedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mailbox OAuth connection"

    def __str__(self) -> str:
        return f"{self.mailbox} as {self.account or '?'}"


class InboundMessage(models.Model):
    """One message as received, stored once; what became of it, and why."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    message_id = models.CharField(max_length=255, blank=True)
    content_hash = models.CharField(
        max_length=64,
        help_text="SHA-256 of the Message-ID, the headers a sender wrote and the body "
        "(not the trace headers servers add): the same message by any route has the same hash.",
    )
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    from_address = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=InboundState.choices, default=InboundState.RECEIVED
    )
    reason = models.TextField(blank=True)
    held_because = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "tickets.Comment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Message-ID and content together say "already received": a different message
            # reusing an old Message-ID is new; the same message to two desk addresses is one.
            models.UniqueConstraint(fields=["content_hash"], name="inbound_once_per_message"),
        ]
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state"),
            models.Index(fields=["message_id"], name="inbound_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id or self.content_hash[:12]} ({self.state})"


class InboundReview(AppendOnlyModel):
    """A reviewer's decision on a held message: who, when, what, and why. Never edited."""

    message = models.ForeignKey(InboundMessage, on_delete=models.PROTECT, related_name="reviews")
    actor = models.ForeignKey("directory.Person", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=ReviewAction.choices)
    state_before = models.CharField(max_length=12, choices=InboundState.choices)
    reason_before = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.message_id} by {self.actor_id}"
