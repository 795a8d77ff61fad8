"""Direct delivery over SMTP (aiosmtpd): accept mail for our mailboxes' addresses.

The server answers 250 only after the message is stored and committed, so a sender whose
connection drops (or who gets our 451) keeps the message and tries again: nothing is lost.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from servicedesk.mail.ingest import receive
from servicedesk.mail.models import Mailbox

logger = logging.getLogger(__name__)
# RFC 5321 allows 1,000 octets a line, but real clients send longer (a pasted log, HTML with no
# line breaks): refusing the whole message for it loses the mail, so we take up to 64 KB.
LINE_LENGTH_LIMIT = 64 * 1024


def mailbox_for(address: str) -> Mailbox | None:
    return Mailbox.objects.filter(address__iexact=address.strip(), is_active=True).first()


def receive_for_recipients(recipients: list[str], raw: bytes) -> int:
    """Store and process the message once for each of our mailboxes it is addressed to."""
    try:
        mailboxes = {box.pk: box for box in filter(None, map(mailbox_for, recipients))}
        for mailbox in mailboxes.values():
            receive(mailbox, raw)
        return len(mailboxes)
    finally:
        # This runs in the server's worker thread, outside any request: a connection kept
        # open here would go stale between messages (and keep the database busy for hours).
        connection.close()


def _known_recipient(address: str) -> bool:
    try:
        return mailbox_for(address) is not None
    finally:
        connection.close()


class DeskHandler:
    """aiosmtpd handler; the ORM runs in a worker thread, never in the event loop."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not await sync_to_async(_known_recipient)(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(receive_for_recipients)(list(envelope.rcpt_tos), data)
        except Exception:
            logger.exception("Could not store a message received over SMTP")
            return "451 4.3.0 Could not store the message; please try again later"
        return "250 2.0.0 Stored"


class DeskSMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class DeskController(Controller):
    """aiosmtpd's controller serving `DeskSMTP` (long lines accepted)."""

    def factory(self) -> SMTP:
        return DeskSMTP(self.handler, **self.SMTP_kwargs)


def receiver_tls_context() -> ssl.SSLContext | None:
    """The certificate the receiver offers with STARTTLS, if one is configured."""
    certificate = settings.SERVICEDESK_SMTP_RECEIVER_TLS_CERT
    if not certificate:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certificate, settings.SERVICEDESK_SMTP_RECEIVER_TLS_KEY or None)
    except (OSError, ssl.SSLError) as unusable:
        raise ImproperlyConfigured(
            "SERVICEDESK_SMTP_RECEIVER_TLS_CERT / _KEY cannot be loaded "
            f"({certificate}): {unusable}"
        ) from unusable
    return context


def desk_receiver(host: str, port: int) -> Controller:
    """The SMTP receiver, not yet started: STARTTLS when a certificate is set, required if
    the operator said so."""
    tls = receiver_tls_context()
    return DeskController(
        DeskHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.SERVICEDESK_MAIL_MAX_MESSAGE_BYTES,
        tls_context=tls,
        require_starttls=tls is not None and settings.SERVICEDESK_SMTP_RECEIVER_REQUIRE_TLS,
    )
