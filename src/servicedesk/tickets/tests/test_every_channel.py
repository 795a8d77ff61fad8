"""Every channel × every viewer: in-app notifications, mail and webhooks carry only what the
access policy lets each recipient (or each subscription's owner) know.

Events of both marked tickets of `exits.py` are addressed to everyone at once (an SLA breach
naming every person, an internal note offered to everyone, replies and notes that every
subscription listens for); each viewer's inbox, mail and webhook deliveries are then read.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.utils import timezone

from servicedesk.api.models import WebhookDelivery, WebhookSubscription
from servicedesk.api.webhooks import WebhookEventType
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.models import Notification, OutboundEmail
from servicedesk.notifications.services import notify_people
from servicedesk.tickets.events import EventName, TicketEvent, publish
from servicedesk.tickets.services import comment_add
from servicedesk.tickets.tests.exits import (
    ANONYMOUS,
    KNOWS,
    STAFF,
    TICKETS,
    VIEWERS,
    Exits,
    forbidden_markers,
    markers,
)
from servicedesk.tickets.tests.exits import exits as exits  # the fixture

PEOPLE = [viewer for viewer in VIEWERS if viewer != ANONYMOUS]


def _address_everyone(exits: Exits) -> None:
    everyone = [exits.people[viewer] for viewer in PEOPLE]
    for viewer in PEOPLE:
        # Every owner, the requester included (say, an agent demoted since they subscribed).
        WebhookSubscription.objects.create(
            owner=exits.people[viewer],
            url="http://127.0.0.1:9/",
            event_types=[str(kind) for kind in WebhookEventType],
            secret="s",
        )
    for key in TICKETS:
        ticket = exits.tickets[key]
        tag = key.upper()
        comment_add(ticket, actor=exits.people["desk"], body=f"ZQ{tag}PUBLICREPLY again")
        note = comment_add(
            ticket, actor=exits.people["desk"], body=f"ZQ{tag}INTERNALNOTE again", internal=True
        )
        with transaction.atomic():
            publish(
                TicketEvent(
                    EventName.SLA_BREACH,
                    ticket,
                    None,
                    timezone.now(),
                    note=f"breached: ZQ{tag}TITLE",
                    data={"recipients": [person.pk for person in everyone], "metric": "x"},
                )
            )
            notify_people(
                everyone,
                kind=NotificationKind.REPLY,
                title=f"Note on {ticket.number}",
                body=note.body,
                ticket=ticket,
                context={"comment": note},
                comment=note,
            )


def _received(exits: Exits, viewer: str) -> dict[str, str]:
    person = exits.people[viewer]
    inbox = Notification.objects.filter(recipient=person).values_list("title", "body")
    mail = OutboundEmail.objects.filter(recipient=person).values_list(
        "subject", "body_text", "body_html"
    )
    hooks = WebhookDelivery.objects.filter(subscription__owner=person).values_list(
        "payload", flat=True
    )
    return {
        "in-app": " ".join(" ".join(row) for row in inbox),
        "mail": " ".join(" ".join(row) for row in mail),
        "webhook": json.dumps(list(hooks)),
    }


@pytest.mark.django_db
def test_every_channel_carries_to_each_viewer_only_what_the_policy_allows(exits: Exits) -> None:
    _address_everyone(exits)
    for viewer in PEOPLE:
        received = _received(exits, viewer)
        for channel, text in received.items():
            leaked = [marker for marker in forbidden_markers(viewer) if marker in text]
            assert not leaked, f"{viewer} by {channel}: {leaked}"
        for ticket in KNOWS[viewer]:
            title, reply = markers(ticket, "public")[:2]
            assert title in received["in-app"] and title in received["mail"], (viewer, ticket)
            assert reply in received["webhook"] or viewer not in STAFF, (viewer, ticket)
            if viewer in STAFF:
                internal = markers(ticket, "internal")[0]
                assert internal in received["in-app"] and internal in received["webhook"]


@pytest.mark.django_db
def test_a_live_chat_about_a_ticket_reaches_only_those_who_may_know_the_ticket(
    exits: Exits,
) -> None:
    """Each marked ticket's requester chats about it, quoting its title: the chat's lines (desk
    list, streams, API) reach exactly the viewers who know the ticket."""
    from servicedesk.chat.selectors import chats_search, waiting_chats_for
    from servicedesk.chat.services import chat_post, chat_start

    for ticket in TICKETS:
        known = exits.tickets[ticket]
        chat = chat_start(requester=known.requester, ticket=known)
        chat_post(chat, author=known.requester, body=markers(ticket, "public")[0])
    for viewer in PEOPLE:
        person = exits.people[viewer]
        chats = list(chats_search(person))
        read = " ".join(" ".join(c.events.values_list("body", flat=True)) for c in chats)
        leaked = [marker for marker in forbidden_markers(viewer) if marker in read]
        assert not leaked, f"{viewer} by chat: {leaked}"
        for ticket in KNOWS[viewer]:
            if viewer in STAFF or exits.tickets[ticket].requester == person:
                assert markers(ticket, "public")[0] in read, (viewer, ticket)
        if viewer in STAFF:
            assert len(waiting_chats_for(person)) == len(KNOWS[viewer]), viewer
