"""Hand one message to the mail server in two steps, so the outbox can record it sent in between.

An SMTP server takes responsibility for a message at the single line "." that ends its data:
before that line, a dropped connection makes the server discard what it received; from that line
on, the message is the server's. `Handoff.prepare` speaks everything up to that line (sender,
recipients, the data); the caller commits "sent" to the outbox; `Handoff.complete` sends the line
and reads the server's answer. A worker that dies before the commit leaves the row pending (the
server discards the half-sent message, another worker sends it again); one that dies after the
commit leaves the row sent: the server has the message, or (in the microseconds between the commit
and the final line) it is lost, never doubled. So a message is never sent twice (docs/deploy.md,
"Mail is sent once").

Backends that are not SMTP (files, the test outbox) have no such line: the caller records the
row sent first and then hands the whole message over with `send`.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

_CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send_small_writes_at_once(smtp: smtplib.SMTP | None) -> None:
    """Turn Nagle's algorithm off. An SMTP conversation is short writes each waiting for an
    answer; the final line, written right after the data, would wait for the server to acknowledge
    the data, which a server delays by up to 40 ms (it has nothing to answer yet): a worker then
    sent some 20 messages a second instead of a hundred (docs/deploy.md)."""
    sock = getattr(smtp, "sock", None)
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        # A connection already broken fails at its next line, where a failure is handled.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class LostAfterHandoverError(Exception):
    """The connection failed after the final line was sent: the server may hold the message."""


class Handoff:
    """One message on one open backend connection."""

    def __init__(self, message: EmailMultiAlternatives, backend: BaseEmailBackend) -> None:
        self.message = message
        self.backend = backend
        self.smtp: smtplib.SMTP | None = None
        self._bytes = b""
        if isinstance(backend, SmtpBackend):
            opened = backend.open()
            self.smtp = backend.connection
            if opened:
                _send_small_writes_at_once(self.smtp)

    @property
    def two_step(self) -> bool:
        return self.smtp is not None

    def prepare(self) -> None:
        """Sender, recipients and data, without the final line (SMTP only). A refusal before
        the data resets the session, so the connection serves the next message."""
        try:
            self._envelope()
        except (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused):
            assert self.smtp is not None
            self.smtp.rset()
            raise
        self._data()

    def _envelope(self) -> None:
        smtp = self.smtp
        assert smtp is not None
        encoding = self.message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(self.message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in self.message.recipients()]
        data = self._bytes = self.message.message().as_bytes(linesep="\r\n")
        smtp.ehlo_or_helo_if_needed()
        options = [f"SIZE={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, answer = smtp.mail(sender, options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, sender)
        refused = {}
        for recipient in recipients:
            code, answer = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, answer)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)

    def _data(self) -> None:
        smtp = self.smtp
        assert smtp is not None
        data = self._bytes
        code, answer = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, answer)
        body = _LEADING_DOT.sub(b"..", data)
        smtp.send(body if body.endswith(_CRLF) else body + _CRLF)

    def complete(self) -> None:
        """The final line: from here on the message is the server's."""
        smtp = self.smtp
        assert smtp is not None
        smtp.send(b"." + _CRLF)
        try:
            code, answer = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as lost:
            raise LostAfterHandoverError(str(lost)) from lost
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)

    def abandon(self) -> None:
        """Drop the connection without the final line: the server discards the message."""
        if self.smtp is not None:
            self.smtp.close()
            assert isinstance(self.backend, SmtpBackend)
            self.backend.connection = None

    def send(self) -> None:
        """The whole message at once (backends without a final line)."""
        self.message.send(fail_silently=False)
