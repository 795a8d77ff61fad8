"""An urgent message reaches someone at once, in its own words; links suit the recipient."""

from __future__ import annotations

import pytest

from servicedesk.conftest import Org
from servicedesk.notifications.choices import NotificationKind as K
from servicedesk.notifications.models import OutboundEmail
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import comment_add, ticket_assign, ticket_create
from servicedesk.tickets.services.replies import reply_add


def urgent_mails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=K.URGENT).order_by("to_address"))


@pytest.fixture
def ticket(org: Org):
    return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="No VPN")


def test_urgent_tells_the_assignee_at_once_with_its_own_words(org: Org, ticket, settings) -> None:
    settings.SERVICEDESK_BASE_URL = "https://desk.example"
    ticket_assign(ticket, actor=org.desk, version=None, group=org.desk_group, assignee=org.desk)
    reply_add(ticket, actor=org.employee, body="Court hearing in an hour!", urgent=True)
    [mail] = urgent_mails()
    assert mail.to_address == org.desk.email
    assert mail.subject == f"[{ticket.number}] URGENT from Employee: No VPN"
    assert "Court hearing in an hour!" in mail.body_text
    # Staff are sent to the workspace, on the configured address.
    assert f"https://desk.example/workspace/tickets/{ticket.number}/" in mail.body_text


def test_without_an_assignee_the_group_is_told(org: Org, ticket) -> None:
    ticket_assign(ticket, actor=org.desk, version=None, group=org.network_group)
    reply_add(ticket, actor=org.employee, body="Please hurry", urgent=True)
    assert [mail.to_address for mail in urgent_mails()] == [org.network.email]
    assert "not assigned to anyone yet" in urgent_mails()[0].body_text


def test_without_a_group_the_service_desk_is_told(org: Org, ticket) -> None:
    reply_add(ticket, actor=org.employee, body="Please hurry", urgent=True)
    assert [mail.to_address for mail in urgent_mails()] == [org.desk.email]


def test_requesters_are_sent_to_the_portal(org: Org, ticket, settings) -> None:
    settings.SERVICEDESK_BASE_URL = "https://desk.example"
    comment_add(ticket, actor=org.desk, body="Try again now")
    [mail] = OutboundEmail.objects.filter(kind=K.REPLY)
    assert f"https://desk.example/portal/tickets/{ticket.number}/" in mail.body_text
