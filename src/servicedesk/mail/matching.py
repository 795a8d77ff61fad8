"""Which ticket a message answers, if any, and whether we may believe it.

1. A token we signed, quoted in In-Reply-To or References: the sender replied to our mail.
2. Else a ticket number in the subject (`[INC0001234]`), but only from someone who takes part in
   that ticket. Anyone can type a number into a subject; a stranger who does is quarantined.
3. Else it is a new conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from servicedesk.directory.models import Person
from servicedesk.mail.parsing import ParsedMessage
from servicedesk.notifications.message_ids import numbers_in_subject, ticket_pks_from_tokens
from servicedesk.tickets.models import Comment, Ticket


@dataclass(frozen=True)
class TicketMatch:
    ticket: Ticket | None
    by: str = ""  # "token" or "subject"
    suspicious: str = ""  # why a match must wait for an agent, if it must


def participant_ids(ticket: Ticket) -> set[int]:
    """Requester, whoever filed it, assignee, affected people and everyone who commented."""
    ids = {ticket.requester_id, ticket.requested_by_id}
    if ticket.assignee_id:
        ids.add(ticket.assignee_id)
    ids |= set(ticket.affected_people.values_list("pk", flat=True))
    ids |= set(Comment.objects.filter(ticket=ticket).values_list("author_id", flat=True))
    return ids


def takes_part(address: str, ticket: Ticket) -> bool:
    return Person.objects.filter(Q(pk__in=participant_ids(ticket)), email__iexact=address).exists()


def match_ticket(parsed: ParsedMessage) -> TicketMatch:
    for pk in ticket_pks_from_tokens([parsed.in_reply_to, parsed.references]):
        ticket = Ticket.objects.filter(pk=pk).first()
        if ticket is not None:
            return TicketMatch(ticket, by="token")
    for number in numbers_in_subject(parsed.subject):
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is None:
            continue
        if takes_part(parsed.from_address, ticket):
            return TicketMatch(ticket, by="subject")
        return TicketMatch(
            ticket,
            by="subject",
            suspicious=(
                f"{parsed.from_address} does not take part in {ticket.number} and the reply "
                "carries no valid token of ours: possibly forged"
            ),
        )
    return TicketMatch(None)
