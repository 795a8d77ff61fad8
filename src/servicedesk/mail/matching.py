"""Which ticket a message answers, if any, and whether we may believe it.

1. A token we signed, quoted in In-Reply-To or References: the sender replied to our mail.
   Something that looks like our token but carries a wrong signature is a forgery: flagged and
   held, whatever else the message says.
2. Else a ticket number in the subject (`[INC0001234]`).
3. Else the thread: a Message-ID in In-Reply-To or References of a mail we stored and put on a
   ticket (a reply to one's own first mail, with neither tag nor token, lands on its ticket).
4. Else it is a new conversation.

A token, a number or a thread counts only for a participant: someone the access policy lets
know the ticket (`tickets.access.who_may_know`). Anyone can type a number, and a forwarded
mail carries its token and Message-IDs to people who must not write on the ticket; such mail
is held for review, never posted.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.directory.models import Person
from servicedesk.mail.choices import HoldReason
from servicedesk.mail.identity import referenced_message_ids
from servicedesk.mail.models import InboundMessage
from servicedesk.mail.parsing import ParsedMessage
from servicedesk.notifications.message_ids import (
    has_unverified_token,
    mail_domain,
    numbers_in_subject,
    ticket_pks_from_tokens,
)
from servicedesk.tickets.access import who_may_know
from servicedesk.tickets.models import Ticket


@dataclass(frozen=True)
class TicketMatch:
    ticket: Ticket | None
    by: str = ""  # "token", "subject" or "thread"
    suspicious: str = ""  # why a match must wait for an agent, if it must
    held_because: str = ""  # a HoldReason when suspicious


def takes_part(person: Person | None, ticket: Ticket) -> bool:
    """A participant: someone the access policy lets know the ticket."""
    return person is not None and bool(who_may_know(ticket, [person]))


def _forged_token(parsed: ParsedMessage) -> str:
    """One of our own Message-IDs (our domain) whose token's signature is wrong, if any."""
    ours = f"@{mail_domain()}>"
    for message_id in referenced_message_ids(parsed):
        if message_id.endswith(ours) and has_unverified_token([message_id]):
            return message_id
    return ""


def _by_token(parsed: ParsedMessage) -> Ticket | None:
    for pk in ticket_pks_from_tokens([parsed.in_reply_to, parsed.references]):
        ticket = Ticket.objects.filter(pk=pk).first()
        if ticket is not None:
            return ticket
    return None


def _by_subject(parsed: ParsedMessage) -> Ticket | None:
    for number in numbers_in_subject(parsed.subject):
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None:
            return ticket
    return None


def _by_thread(parsed: ParsedMessage) -> Ticket | None:
    """The ticket of the nearest stored mail this one answers."""
    ids = referenced_message_ids(parsed)
    if not ids:
        return None
    stored = dict(
        InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
        .order_by("received_at", "pk")
        .values_list("message_id", "ticket_id")
    )
    for message_id in ids:
        if message_id in stored:
            return Ticket.objects.filter(pk=stored[message_id]).first()
    return None


def match_ticket(parsed: ParsedMessage, sender: Person | None) -> TicketMatch:
    forged = _forged_token(parsed)
    if forged:
        return TicketMatch(
            _by_subject(parsed),  # the ticket it pretends to answer, for the reviewer
            by="token",
            suspicious=f"forged reply token: {forged[:120]} is not a Message-ID we signed",
            held_because=HoldReason.FORGED_TOKEN,
        )
    for by, find in (("token", _by_token), ("subject", _by_subject), ("thread", _by_thread)):
        ticket = find(parsed)
        if ticket is None:
            continue
        if takes_part(sender, ticket):
            return TicketMatch(ticket, by=by)
        return TicketMatch(
            ticket,
            by=by,
            suspicious=(
                f"{parsed.from_address} does not take part in {ticket.number} (the reply came "
                f"by its {by}): held, not posted"
            ),
            held_because=HoldReason.NOT_PARTICIPANT,
        )
    return TicketMatch(None)
