"""Send due outbox rows over SMTP; retry with exponential backoff; never send a row twice.

Rows are claimed one at a time, interactive mail (an acknowledgement, a reply) before bulk mail
(a broadcast), by a short lease: the claim writes a fresh token and pushes the row's next attempt
`CLAIM_LEASE` ahead. A worker that dies mid-batch holds at most the row it was sending, and only
for the lease; every other row is still pending for the next worker. The token fences: a row is
marked sent only by the worker whose claim is still current, in the instant before the message is
handed over (`notifications.handoff`), so two workers never both send it, even when a slow one
outlives its lease. Talking to the server happens outside any transaction.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from servicedesk.mail.oauth import OAuthError
from servicedesk.mail.outbound import Route, desk_route, routes_for
from servicedesk.notifications.bounces import MARKED_ERROR, undeliverable_among
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.handoff import Handoff, LostAfterHandoverError
from servicedesk.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=15)
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


def _claim_next(due_by: datetime | None, token: str, skip: list[int]) -> OutboundEmail | None:
    """The next due row, most urgent first, leased to this token; None when nothing is due.
    Rows another worker is claiming right now are skipped, not waited for."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=due_by or now)
            .exclude(pk__in=skip)
            .order_by("priority", "next_attempt_at", "pk")
            .first()
        )
        if row is None:
            return None
        lease_ends = max(now, due_by or now) + CLAIM_LEASE
        OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=lease_ends, claimed_by=token)
    row.claimed_by = token
    return row


def _still_mine(row: OutboundEmail) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(
        pk=row.pk, state=DeliveryState.PENDING, claimed_by=row.claimed_by
    )


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
    OutboundEmail.objects.filter(pk=row.pk, claimed_by=row.claimed_by).update(
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


def _record_sent(row: OutboundEmail) -> bool:
    """Mark the row sent if this worker's claim is still current; False if it is not."""
    return (
        _still_mine(row).update(
            state=DeliveryState.SENT,
            attempts=row.attempts + 1,
            sent_at=timezone.now(),
            last_error="",
        )
        == 1
    )


def _hand_over(
    row: OutboundEmail, connection: BaseEmailBackend, from_email: str, report: DeliveryReport
) -> None:
    """Record the row sent, then hand the message over; a refusal after that puts it back."""
    handoff = Handoff(as_message(row, connection, from_email), connection)
    if handoff.two_step:
        handoff.prepare()
    if not _record_sent(row):
        # Another worker took the row over after this one's lease ran out: it sends it.
        handoff.abandon()
        return
    try:
        if handoff.two_step:
            handoff.complete()
        else:
            handoff.send()
    except LostAfterHandoverError as lost:
        # The server may hold it already: sending it again could deliver it twice.
        logger.warning("Mail %s: the server's answer was lost after the message (%s)", row.pk, lost)
        report.sent += 1
        return
    except (smtplib.SMTPException, OSError):
        OutboundEmail.objects.filter(pk=row.pk).update(state=DeliveryState.PENDING)
        raise
    report.sent += 1


def _deliverable(row: OutboundEmail, report: DeliveryReport) -> bool:
    """False, and the row failed saying why, when its address has bounced (until the mark is
    cleared, mail to a bouncing address would only bounce again)."""
    if not undeliverable_among([row.to_address]):
        return True
    OutboundEmail.objects.filter(pk=row.pk, claimed_by=row.claimed_by).update(
        state=DeliveryState.FAILED, last_error=MARKED_ERROR, next_attempt_at=timezone.now()
    )
    report.failed += 1
    return False


class _Routes:
    """Mail about a ticket goes From (and through) the mailbox it came in by, if any; each
    server's connection is opened once per batch, and one we could not reach or sign in to is
    not asked again for each row."""

    def __init__(self) -> None:
        self.by_ticket: dict[int, Route] = {}
        self.connections: dict[int | None, BaseEmailBackend] = {}
        self.unreachable: dict[int | None, BaseException] = {}

    def route(self, row: OutboundEmail) -> Route:
        ticket_id = row.ticket_id
        if ticket_id is None:
            return desk_route()
        if ticket_id not in self.by_ticket:
            self.by_ticket[ticket_id] = routes_for([ticket_id]).get(ticket_id) or desk_route()
        return self.by_ticket[ticket_id]

    def connection(self, route: Route) -> BaseEmailBackend:
        key = route.server_key
        if key not in self.connections:
            self.connections[key] = route.connection()
        return self.connections[key]

    def drop(self, route: Route) -> None:
        connection = self.connections.pop(route.server_key, None)
        if connection is not None:
            _close_quietly(connection)

    def close(self) -> None:
        for connection in self.connections.values():
            _close_quietly(connection)


def deliver_due(now: datetime | None = None, limit: int = BATCH) -> DeliveryReport:
    """Send up to `limit` rows that are due (by `now`, or by the clock as the batch goes on, so
    that mail queued meanwhile is seen); returns what happened."""
    report = DeliveryReport()
    token = secrets.token_hex(8)
    done: list[int] = []
    routes = _Routes()
    while len(done) < limit:
        row = _claim_next(now, token, done)
        if row is None:
            break
        done.append(row.pk)
        if not _deliverable(row, report):
            continue
        route = routes.route(row)
        key = route.server_key
        if key in routes.unreachable:
            _record_failure(row, routes.unreachable[key], report)
            continue
        opened = key in routes.connections
        try:
            _hand_over(row, routes.connection(route), route.from_email, report)
        except (smtplib.SMTPException, OSError, OAuthError) as error:
            _record_failure(row, error, report)
            if not opened and key is not None:
                routes.unreachable[key] = error
            if not isinstance(error, smtplib.SMTPRecipientsRefused):
                # The connection is in doubt: the next row opens a new one.
                routes.drop(route)
    routes.close()
    return report


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.info("Closing the mail connection failed; it is dropped")


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
