"""Right after `make run`, mail to the demo desk files a ticket and a monitoring alert for a
known host opens an incident on the right service."""

from __future__ import annotations

from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.api.monitoring import EventState, MonitoringEvent, monitoring_event_receive
from servicedesk.demo.operations import DEMO_MAILBOX_ADDRESS
from servicedesk.directory.models import Person
from servicedesk.mail.choices import InboundState
from servicedesk.mail.ingest import receive
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.receiving import mailbox_for


@pytest.fixture
def demo(db: None) -> None:
    call_command("load_demo", stdout=StringIO())


def test_mail_to_the_demo_desk_becomes_a_ticket_for_the_l1_desk(demo: None) -> None:
    message = EmailMessage()
    message["From"] = "Emma Porter <employee@ok.example>"
    message["To"] = DEMO_MAILBOX_ADDRESS
    message["Subject"] = "The third-floor printer jams"
    message["Message-ID"] = "<demo-test-1@ok.example>"
    message.set_content("It jams on every page since this morning.")

    # What the SMTP receiver `make run` starts does for each message.
    mailbox = mailbox_for(DEMO_MAILBOX_ADDRESS)
    assert mailbox is not None
    receive(mailbox, message.as_bytes())

    row = InboundMessage.objects.get()
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None
    assert row.ticket.requester.username == "employee"
    assert row.ticket.assignment_group is not None
    assert row.ticket.assignment_group.name == "OMES Service Desk"


def test_an_alert_for_a_core_switch_opens_a_network_incident(demo: None) -> None:
    event = MonitoringEvent(
        source="zabbix", resource="core-sw-01", check="ping", state=EventState.PROBLEM
    )
    result = monitoring_event_receive(event, actor=Person.objects.get(username="desk"))
    assert result.alert is not None
    assert result.alert.ticket.service is not None
    assert result.alert.ticket.service.name == "Network and internet"


def test_loading_the_demo_again_keeps_one_mailbox(demo: None) -> None:
    call_command("load_demo", stdout=StringIO())
    assert Mailbox.objects.filter(address=DEMO_MAILBOX_ADDRESS).count() == 1
