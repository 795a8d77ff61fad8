"""Stored messages → tickets and comments, through `tickets.services` only.

Two steps, two transactions. `store_message` keeps the raw bytes once (idempotent by mailbox and
Message-ID, or by content hash without one) and commits: from then on the mail cannot be lost,
and the IMAP server may be told it was read. `process_message` then decides, in one transaction
with the ticket change and its outbox rows, what the message becomes; whatever happens, the row
ends in a final state with a reason and the worker moves on to the next message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.mail.actions import file_ticket, reply_to_ticket, requester_for
from servicedesk.mail.choices import InboundState
from servicedesk.mail.matching import match_ticket
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.parsing import MalformedMessageError, content_hash, message_id_of, parse
from servicedesk.mail.refusals import tell_sender_refused
from servicedesk.mail.screening import automatic_reason, sender_authenticated
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.workflow import FINAL_STATES

logger = logging.getLogger(__name__)


def store_message(mailbox: Mailbox, raw: bytes) -> tuple[InboundMessage, bool]:
    """(the stored row, whether it is new). Storing the same message again returns the first."""
    message_id = message_id_of(raw)
    digest = content_hash(raw)
    same = InboundMessage.objects.filter(mailbox=mailbox)
    same = (
        same.filter(message_id=message_id)
        if message_id
        else same.filter(message_id="", content_hash=digest)
    )
    existing = same.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                mailbox=mailbox,
                message_id=message_id,
                content_hash=digest,
                raw=raw,
                size=len(raw),
            )
    except IntegrityError:
        # Another worker stored it between our look and our insert.
        return same.get(), False
    return row, True


def _end(row: InboundMessage, state: InboundState, reason: str = "") -> None:
    row.state = state
    row.reason = reason[:2000]
    row.processed_at = timezone.now()


def _refuse(row: InboundMessage, raw: bytes, reason: str) -> None:
    """The last resort: kept as failed with the reason, and the sender (if a person) told."""
    told = tell_sender_refused(row, raw, reason)
    _end(row, InboundState.FAILED, f"{reason} (sender told)" if told else reason)


def _over_hourly_cap(row: InboundMessage) -> bool:
    since = timezone.now() - timedelta(hours=1)
    accepted = InboundMessage.objects.filter(
        from_address=row.from_address, state=InboundState.PROCESSED, processed_at__gte=since
    ).exclude(pk=row.pk)
    return accepted.count() >= settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP


def _decide(row: InboundMessage) -> None:
    raw = bytes(row.raw)
    if len(raw) > settings.SERVICEDESK_MAIL_MAX_MESSAGE_BYTES:
        _refuse(row, raw, f"message is {len(raw)} bytes, over the limit")
        return
    try:
        parsed = parse(raw, max_header_bytes=settings.SERVICEDESK_MAIL_MAX_HEADER_BYTES)
    except MalformedMessageError as malformed:
        _refuse(row, raw, malformed.reason)
        return
    row.from_address = parsed.from_address
    row.subject = parsed.subject[:300]
    automatic = automatic_reason(parsed)
    if automatic:
        _end(row, InboundState.IGNORED, automatic)
        return
    match = match_ticket(parsed)
    if match.suspicious:
        _end(row, InboundState.QUARANTINED, match.suspicious)
        if match.ticket is not None:
            row.ticket = match.ticket
        return
    if _over_hourly_cap(row):
        cap = settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP
        _end(row, InboundState.QUARANTINED, f"more than {cap} messages from this sender in an hour")
        return
    sender: Person | None = requester_for(parsed, row.mailbox)
    if sender is None:
        _end(row, InboundState.QUARANTINED, f"{parsed.from_address} is not in the directory")
        return
    if sender.is_staff_member and not sender_authenticated(parsed, row.mailbox.authserv_id):
        _end(
            row,
            InboundState.QUARANTINED,
            f"{parsed.from_address} is a staff address, but our mail server did not confirm "
            "the sender (no passing DMARC in its Authentication-Results): held, not posted as "
            "staff",
        )
        return
    try:
        with transaction.atomic():
            if match.ticket is not None and match.ticket.state not in FINAL_STATES:
                outcome = reply_to_ticket(match.ticket, sender, parsed, mailbox=row.mailbox)
            else:
                follows = match.ticket if match.ticket is not None else None
                outcome = file_ticket(
                    row.mailbox, sender, parsed, follows=follows, received_at=row.received_at
                )
    except TicketError as refused:
        _end(row, InboundState.QUARANTINED, f"refused by the desk's rules: {refused}")
        return
    row.ticket, row.comment = outcome.ticket, outcome.comment
    # What the lenient reading had to do, for whoever wonders why the ticket looks as it does.
    repairs = f" Read leniently: {'; '.join(parsed.repairs)}." if parsed.repairs else ""
    _end(row, InboundState.PROCESSED, outcome.note + repairs)


def process_message(row: InboundMessage) -> InboundMessage:
    """Decide what a stored message becomes; never raises for a message, good or bad."""
    try:
        with transaction.atomic():
            current = InboundMessage.objects.select_for_update().get(pk=row.pk)
            if current.state != InboundState.RECEIVED:
                return current  # another worker (or an earlier run) got here first
            _decide(current)
            current.save()
            return current
    except Exception as error:
        # A bug or a surprise must not stop the batch, nor lose the mail: it is kept as failed.
        logger.exception("Processing inbound message %s failed", row.pk)
        InboundMessage.objects.filter(pk=row.pk, state=InboundState.RECEIVED).update(
            state=InboundState.FAILED,
            reason=f"processing failed: {type(error).__name__}: {error}"[:2000],
            processed_at=timezone.now(),
        )
        return InboundMessage.objects.get(pk=row.pk)


def process_pending(mailbox: Mailbox | None = None) -> list[InboundMessage]:
    """Process what was stored but not yet processed (e.g. the worker died in between)."""
    pending = InboundMessage.objects.filter(state=InboundState.RECEIVED)
    if mailbox is not None:
        pending = pending.filter(mailbox=mailbox)
    return [process_message(row) for row in pending.order_by("received_at", "pk")]


def receive(mailbox: Mailbox, raw: bytes) -> InboundMessage:
    """Store, then process: what the SMTP receiver and tests do with one message."""
    row, _ = store_message(mailbox, raw)
    if row.state == InboundState.RECEIVED:
        row = process_message(row)
    return row


def reprocess(rows: list[InboundMessage]) -> int:
    """An agent's "try again" on failed or quarantined mail (say, after adding the sender)."""
    again = 0
    for row in rows:
        updated = InboundMessage.objects.filter(
            pk=row.pk, state__in=[InboundState.FAILED, InboundState.QUARANTINED]
        ).update(state=InboundState.RECEIVED, reason="", processed_at=None)
        if updated:
            process_message(row)
            again += 1
    return again
