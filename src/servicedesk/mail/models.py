"""Mailboxes we read, and every message that reached us, kept as it arrived."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.core.audit import audited
from servicedesk.core.crypto import EncryptedTextField
from servicedesk.mail.choices import InboundState, OAuthProvider, TransportSecurity


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

    New tickets from it are routed to its agency, service and/or group.
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
    assignment_group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the raw bytes.")
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
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "tickets.Comment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_id"],
                condition=~models.Q(message_id=""),
                name="inbound_once_per_message_id",
            ),
            # Without a Message-ID, the same bytes are the same message.
            models.UniqueConstraint(
                fields=["mailbox", "content_hash"],
                condition=models.Q(message_id=""),
                name="inbound_once_per_content",
            ),
        ]
        indexes = [models.Index(fields=["state", "received_at"], name="inbound_state")]

    def __str__(self) -> str:
        return f"{self.message_id or self.content_hash[:12]} ({self.state})"
