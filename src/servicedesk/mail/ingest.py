"""Stored messages → tickets and comments, through `tickets.services` only.

Two steps, two transactions. `store_message` keeps the raw bytes once (idempotent by Message-ID
and content together, across all our desk addresses) and commits: from then on the mail cannot
be lost, and the IMAP server may be told it was read. `process_message` then decides, in one
transaction with the ticket change and its outbox rows, what the message becomes; whatever
happens, the row ends in a final state with a reason and the worker moves on to the next one.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.mail.actions import (
    Outcome,
    add_copied_people,
    file_ticket,
    known_sender,
    reply_to_ticket,
    requester_for,
)
from servicedesk.mail.bounces import handle_bounce
from servicedesk.mail.brakes import loop_braked, over_sender_cap
from servicedesk.mail.choices import HoldReason, InboundState
from servicedesk.mail.identity import copied_people, fingerprint
from servicedesk.mail.matching import TicketMatch, match_ticket
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.parsing import MalformedMessageError, ParsedMessage, message_id_of, parse
from servicedesk.mail.refusals import tell_sender_refused
from servicedesk.mail.screening import (
    Verdict,
    automatic_reason,
    of_own_domain,
    own_domains,
    sender_verdict,
)
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.workflow import FINAL_STATES

logger = logging.getLogger(__name__)


def store_message(mailbox: Mailbox, raw: bytes) -> tuple[InboundMessage, bool]:
    """(the stored row, whether it is new). The same message again, by any route or to any of
    our desk addresses, returns the first (see `identity.fingerprint`)."""
    digest = fingerprint(raw)
    same = InboundMessage.objects.filter(content_hash=digest)
    existing = same.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                mailbox=mailbox,
                message_id=message_id_of(raw),
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


def _hold(row: InboundMessage, because: HoldReason | str, reason: str) -> None:
    _end(row, InboundState.QUARANTINED, reason)
    row.held_because = because


def _own_domains() -> set[str]:
    desk_addresses = Mailbox.objects.filter(is_active=True).values_list("address", flat=True)
    return own_domains(list(desk_addresses))


def _distrusted(row: InboundMessage, parsed: ParsedMessage, sender: Person | None) -> bool:
    """Hold mail whose From our receiving server did not vouch for, where it matters."""
    verdict = sender_verdict(parsed, row.mailbox.authserv_id)
    if verdict == Verdict.FAIL and of_own_domain(parsed.from_address, _own_domains()):
        _hold(
            row,
            HoldReason.SPOOFED,
            f"{parsed.from_address} is an address of our own domain, but our mail server saw it "
            "fail sender authentication (DMARC, or SPF and DKIM): held, not posted as that "
            "person",
        )
        return True
    if sender is not None and sender.is_staff_member and verdict != Verdict.PASS:
        _hold(
            row,
            HoldReason.UNVERIFIED_STAFF,
            f"{parsed.from_address} is a staff address, but our mail server did not confirm "
            "the sender (no passing DMARC in its Authentication-Results): held, not posted as "
            "staff",
        )
        return True
    return False


def _braked(row: InboundMessage, new_ticket: bool) -> bool:
    if over_sender_cap(row):
        cap = settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP
        _hold(row, HoldReason.FLOOD, f"more than {cap} messages from this sender in an hour")
        return True
    if new_ticket and loop_braked(row):
        cap = settings.SERVICEDESK_MAIL_THREAD_HOURLY_CAP
        _hold(
            row,
            HoldReason.LOOP,
            f"{cap} new tickets from this sender in this thread within the hour: a mail loop? "
            "Held, not acknowledged",
        )
        return True
    return False


def _act(row: InboundMessage, parsed: ParsedMessage, sender: Person, match: TicketMatch) -> None:
    mailbox = row.mailbox
    desk = {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}
    copied = copied_people(parsed, exclude=desk | {parsed.from_address})
    try:
        with transaction.atomic():
            outcome: Outcome
            if match.ticket is not None and match.ticket.state not in FINAL_STATES:
                outcome = reply_to_ticket(match.ticket, sender, parsed, mailbox=mailbox)
            else:
                outcome = file_ticket(
                    mailbox, sender, parsed, follows=match.ticket, received_at=row.received_at
                )
            copied_note = add_copied_people(
                outcome.ticket, sender=sender, people=copied, policy=mailbox.cc_become
            )
    except TicketError as refused:
        _hold(row, HoldReason.REFUSED, f"refused by the desk's rules: {refused}")
        return
    row.ticket, row.comment = outcome.ticket, outcome.comment
    # What the lenient reading had to do, for whoever wonders why the ticket looks as it does.
    repairs = f"Read leniently: {'; '.join(parsed.repairs)}." if parsed.repairs else ""
    _end(row, InboundState.PROCESSED, " ".join(filter(None, [outcome.note, copied_note, repairs])))


def _decide(row: InboundMessage, *, vouched: bool = False) -> None:
    """What the message becomes. `vouched`: a reviewer released it, so the trust checks and
    brakes that held it are not asked again (an unknown sender still cannot be posted as)."""
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
    row.held_because = ""
    bounce = handle_bounce(parsed)
    if bounce is not None and bounce.tied:
        row.ticket = bounce.tied[0][1].ticket
        _end(row, InboundState.IGNORED, bounce.reason)
        return
    automatic = automatic_reason(parsed)
    if automatic:
        _end(row, InboundState.IGNORED, automatic)
        return
    sender = known_sender(parsed)
    if not vouched and _distrusted(row, parsed, sender):
        return
    match = match_ticket(parsed, sender)
    if match.suspicious and not vouched:
        _hold(row, match.held_because, match.suspicious)
        row.ticket = match.ticket
        return
    sender = sender or requester_for(parsed, row.mailbox)
    if sender is None:
        _hold(row, HoldReason.UNKNOWN_SENDER, f"{parsed.from_address} is not in the directory")
        return
    new_ticket = match.ticket is None or match.ticket.state in FINAL_STATES
    if not vouched and _braked(row, new_ticket):
        return
    _act(row, parsed, sender, match)


def process_message(row: InboundMessage, *, vouched: bool = False) -> InboundMessage:
    """Decide what a stored message becomes; never raises for a message, good or bad."""
    try:
        with transaction.atomic():
            current = InboundMessage.objects.select_for_update().get(pk=row.pk)
            if current.state != InboundState.RECEIVED:
                return current  # another worker (or an earlier run) got here first
            _decide(current, vouched=vouched)
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
