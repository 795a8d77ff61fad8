"""Which address and which server mail about a ticket goes out by.

Mail about a ticket that came in by a mailbox goes out From that mailbox (its From address, else
its own address when it sends through its own server), so that replies come back to it; through
the mailbox's own SMTP server when it has one (Microsoft 365 and Google let an account send only
as itself); everything else From the desk's default sender through the desk's server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.transport import MailboxEmailBackend

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Route:
    from_email: str
    # Sends through this mailbox's own server; None: the desk's.
    mailbox: Mailbox | None = None

    @property
    def server_key(self) -> int | None:
        return None if self.mailbox is None else self.mailbox.pk

    def connection(self) -> BaseEmailBackend:
        if self.mailbox is None:
            desk: BaseEmailBackend = get_connection(fail_silently=False)
            return desk
        return MailboxEmailBackend(mailbox=self.mailbox)


def desk_route() -> Route:
    return Route(from_email=settings.DEFAULT_FROM_EMAIL)


def route_of(mailbox: Mailbox) -> Route:
    # Only where mail is really sent over SMTP: a demo writing mail to files stays with files.
    own_server = bool(mailbox.smtp_host) and settings.EMAIL_BACKEND == SMTP_BACKEND
    sender = mailbox.from_address or (mailbox.address if mailbox.smtp_host else "")
    return Route(
        from_email=sender or settings.DEFAULT_FROM_EMAIL,
        mailbox=mailbox if own_server else None,
    )


def routes_for(ticket_ids: Iterable[int | None]) -> dict[int, Route]:
    """Each ticket's route, by the mailbox its first message came in by (two queries)."""
    wanted = {pk for pk in ticket_ids if pk is not None}
    if not wanted:
        return {}
    first_mailbox: dict[int, int] = {}
    arrivals = (
        InboundMessage.objects.filter(ticket_id__in=wanted)
        .order_by("ticket_id", "pk")
        .values_list("ticket_id", "mailbox_id")
    )
    for ticket_id, mailbox_id in arrivals:
        if ticket_id is not None:
            first_mailbox.setdefault(ticket_id, mailbox_id)
    mailboxes = Mailbox.objects.select_related("oauth_application").in_bulk(
        set(first_mailbox.values())
    )
    return {ticket: route_of(mailboxes[box]) for ticket, box in first_mailbox.items()}
