"""Connections to a mailbox's servers: TLS or STARTTLS with verified certificates, then a sign-in
with the password or with OAuth 2.0 (XOAUTH2).

Certificates are checked against the system's trusted authorities (OpenSSL's `SSL_CERT_FILE`
adds a private one, docs/deploy.md). A server that offers no STARTTLS when asked is refused
rather than used in clear.
"""

from __future__ import annotations

import contextlib
import imaplib
import smtplib
import ssl
from collections.abc import Callable
from typing import Any

from django.core.mail.backends.smtp import EmailBackend

from servicedesk.mail.choices import TransportSecurity
from servicedesk.mail.models import Mailbox
from servicedesk.mail.oauth import access_token_for, access_token_refused, xoauth2

TIMEOUT = 60


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _quietly(close: Callable[[], object]) -> None:
    """Close a connection that failed: the first error is the one to report."""
    with contextlib.suppress(OSError):
        close()


def imap_open(mailbox: Mailbox) -> imaplib.IMAP4:
    """An IMAP connection to the mailbox's server, signed in."""
    host, port = mailbox.imap_host, mailbox.imap_port
    client: imaplib.IMAP4
    if mailbox.imap_security == TransportSecurity.TLS:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=tls_context(), timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(host, port, timeout=TIMEOUT)
    try:
        if mailbox.imap_security == TransportSecurity.STARTTLS:
            client.starttls(ssl_context=tls_context())
        if mailbox.oauth_application_id is None:
            client.login(mailbox.imap_user, mailbox.imap_password)
        else:
            response = xoauth2(mailbox.imap_user, access_token_for(mailbox)).encode()
            try:
                client.authenticate("XOAUTH2", lambda _challenge: response)
            except imaplib.IMAP4.error:
                access_token_refused(mailbox)
                raise
    except BaseException:
        _quietly(client.shutdown)
        raise
    return client


def _xoauth2_responder(response: str) -> Any:
    def respond(challenge: bytes | None = None) -> str:
        # A second round only carries the server's error details; an empty answer ends it.
        return response if challenge is None else ""

    return respond


def smtp_open(mailbox: Mailbox) -> smtplib.SMTP:
    """An SMTP connection to the mailbox's own outgoing server, signed in as its account."""
    host, port = mailbox.smtp_host, mailbox.smtp_port
    client: smtplib.SMTP
    if mailbox.smtp_security == TransportSecurity.TLS:
        client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=tls_context())
    else:
        client = smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        if mailbox.smtp_security == TransportSecurity.STARTTLS:
            client.starttls(context=tls_context())  # refuses if the server does not offer it
        client.ehlo_or_helo_if_needed()
        if mailbox.oauth_application_id is not None:
            response = xoauth2(mailbox.imap_user, access_token_for(mailbox))
            try:
                client.auth("XOAUTH2", _xoauth2_responder(response))
            except smtplib.SMTPAuthenticationError:
                access_token_refused(mailbox)
                raise
        elif mailbox.imap_password:
            client.login(mailbox.imap_user, mailbox.imap_password)
    except BaseException:
        _quietly(client.close)
        raise
    return client


class MailboxEmailBackend(EmailBackend):
    """Django's SMTP backend, but connected through `smtp_open` (the mailbox's own server)."""

    def __init__(self, *, mailbox: Mailbox, **kwargs: Any) -> None:
        super().__init__(fail_silently=False, **kwargs)
        self.mailbox = mailbox

    def open(self) -> bool:
        if self.connection is not None:
            return False
        self.connection = smtp_open(self.mailbox)
        return True
