"""Send due outbox rows over SMTP; retry with exponential backoff; never send a row twice.

A row is *claimed* before it is sent, by a conditional UPDATE that pushes its next attempt past a
lease: two workers draining at once never both win the same row, and a worker that dies while
holding one only delays it by the lease. A row is marked sent only once the server accepted it.
Talking to the server happens outside any transaction, so a slow server never holds locks.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Min
from django.utils import timezone

from servicedesk.mail.oauth import OAuthError
from servicedesk.mail.outbound import desk_route, routes_for
from servicedesk.notifications.bounces import MARKED_ERROR, undeliverable_among
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
BATCH = 200
# Headers Django sets itself from the message's fields; the rest of ours are passed through.
_RESERVED = {"subject", "from", "to"}


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … base delays after the 1st, 2nd, 3rd … failure, at most a day."""
    base = settings.SERVICEDESK_MAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def _claim(pk: int, now: datetime) -> bool:
    claimed = OutboundEmail.objects.filter(
        pk=pk, state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    return claimed == 1


def as_message(
    row: OutboundEmail, connection: BaseEmailBackend, from_email: str = ""
) -> EmailMultiAlternatives:
    headers = {name: value for name, value in row.headers.items() if name.lower() not in _RESERVED}
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(
            f"<!doctype html><html><body>{row.body_html}</body></html>", "text/html"
        )
    return message


def _is_permanent(error: BaseException) -> bool:
    """The server refused the address itself (5xx): retrying would only repeat the refusal."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return False


def _record_failure(row: OutboundEmail, error: BaseException, report: DeliveryReport) -> None:
    attempts = row.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    gives_up = attempts >= settings.SERVICEDESK_MAIL_MAX_ATTEMPTS or _is_permanent(error)
    now = timezone.now()
    OutboundEmail.objects.filter(pk=row.pk).update(
        attempts=attempts,
        last_error=text,
        state=DeliveryState.FAILED if gives_up else DeliveryState.PENDING,
        next_attempt_at=now if gives_up else now + backoff(attempts),
    )
    if gives_up:
        report.failed += 1
        logger.warning("Mail %s to %s failed for good: %s", row.pk, row.to_address, text)
    else:
        report.retrying += 1
    report.errors.append(text)


def _record_sent(row: OutboundEmail) -> None:
    now = timezone.now()
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=DeliveryState.SENT, attempts=row.attempts + 1, sent_at=now, last_error=""
    )


def _deliverable(rows: list[OutboundEmail], report: DeliveryReport) -> list[OutboundEmail]:
    """Rows whose address has not bounced; the others fail now, saying why (until the mark is
    cleared, mail to a bouncing address would only bounce again)."""
    marked = undeliverable_among(row.to_address for row in rows)
    if not marked:
        return rows
    held = [row.pk for row in rows if row.to_address.strip().lower() in marked]
    OutboundEmail.objects.filter(pk__in=held).update(
        state=DeliveryState.FAILED, last_error=MARKED_ERROR, next_attempt_at=timezone.now()
    )
    report.failed += len(held)
    return [row for row in rows if row.pk not in held]


def deliver_due(now: datetime | None = None, limit: int = BATCH) -> DeliveryReport:
    """Send up to `limit` rows that are due; returns what happened."""
    now = now or timezone.now()
    report = DeliveryReport()
    due = list(
        OutboundEmail.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    claimed = [pk for pk in due if _claim(pk, now)]
    if not claimed:
        return report
    rows = _deliverable(list(OutboundEmail.objects.filter(pk__in=claimed).order_by("pk")), report)
    # Mail about a ticket goes From (and through) the mailbox it came in by, if any.
    routes = routes_for(row.ticket_id for row in rows)
    connections: dict[int | None, BaseEmailBackend] = {}
    opened: set[int | None] = set()
    # A server we could not connect or sign in to is not asked again for each row of the batch.
    unreachable: dict[int | None, BaseException] = {}
    for row in rows:
        route = routes.get(row.ticket_id or 0) or desk_route()
        key = route.server_key
        if key in unreachable:
            _record_failure(row, unreachable[key], report)
            continue
        try:
            connection = connections.get(key) or connections.setdefault(key, route.connection())
            if key not in opened:
                connection.open()
                opened.add(key)
            as_message(row, connection, route.from_email).send(fail_silently=False)
        except (smtplib.SMTPException, OSError, OAuthError) as error:
            _record_failure(row, error, report)
            if key not in opened and key is not None:
                unreachable[key] = error
            if not isinstance(error, smtplib.SMTPRecipientsRefused) and key in connections:
                # The connection is in doubt: the next row opens a new one.
                connections[key].close()
                opened.discard(key)
            continue
        _record_sent(row)
        report.sent += 1
    for key in opened:
        connections[key].close()
    return report


def deliver_all_due(now: datetime | None = None) -> DeliveryReport:
    """Drain: batches while full ones go out. A batch that sent nothing stops the run: the
    server is down, and the rows wait for their backoff rather than spin here."""
    total = DeliveryReport()
    while True:
        report = deliver_due(now)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.errors += report.errors
        if report.attempted < BATCH or report.sent == 0:
            return total


def next_attempt_due() -> datetime | None:
    """When the earliest pending row is due again; None if nothing is pending."""
    result = OutboundEmail.objects.filter(state=DeliveryState.PENDING).aggregate(
        at=Min("next_attempt_at")
    )
    at = result["at"]
    return at if isinstance(at, datetime) else None
