"""Who sends which mail first, and a worker whose claim was taken over sends nothing.

Over a real SMTP server (aiosmtpd on loopback). Killing workers for real is in
core/tests/test_faults.py and test_several_hosts.py (PostgreSQL)."""

from __future__ import annotations

from django.db import transaction

from servicedesk.conftest import Org
from servicedesk.notifications.choices import DeliveryState, MailPriority
from servicedesk.notifications.delivery import (
    DeliveryReport,
    _claim_next,
    _hand_over,
    deliver_due,
)
from servicedesk.notifications.models import OutboundEmail
from servicedesk.notifications.services import mail_addresses
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create


def _broadcast(count: int) -> None:
    with transaction.atomic():
        mail_addresses(
            [f"reader{index}@example.org" for index in range(count)],
            subject="Planned outage of the payroll system",
            text="Saturday 6-8 am.",
            event="broadcast",
            event_key="payroll-outage",
        )


def test_an_acknowledgement_queued_behind_a_broadcast_goes_first(
    org: Org, smtp_server: SmtpServer
) -> None:
    _broadcast(30)
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Badge reader dead"
    )
    ack = OutboundEmail.objects.get(ticket=ticket)
    assert ack.priority == MailPriority.INTERACTIVE
    assert set(OutboundEmail.objects.exclude(pk=ack.pk).values_list("priority", flat=True)) == {
        MailPriority.BULK
    }

    assert deliver_due(limit=1).sent == 1
    [first] = smtp_server.received
    assert first.envelope_to == [org.employee.email]
    assert deliver_due().sent == 30


def test_a_worker_whose_claim_was_taken_over_sends_nothing(
    org: Org, smtp_server: SmtpServer
) -> None:
    _broadcast(1)
    slow = _claim_next(None, "slow-worker", [])
    assert slow is not None
    # Its lease ran out and another worker claimed the row meanwhile.
    OutboundEmail.objects.filter(pk=slow.pk).update(claimed_by="other-worker")

    from django.core.mail import get_connection

    report = DeliveryReport()
    _hand_over(slow, get_connection(fail_silently=False), "", report)
    assert report.sent == 0
    assert smtp_server.received == []
    row = OutboundEmail.objects.get()
    assert (row.state, row.claimed_by) == (DeliveryState.PENDING, "other-worker")


def test_a_claimed_row_waits_for_its_lease_and_the_others_go(
    org: Org, smtp_server: SmtpServer
) -> None:
    _broadcast(3)
    held = _claim_next(None, "dead-worker", [])
    assert held is not None
    assert deliver_due().sent == 2
    assert OutboundEmail.objects.get(pk=held.pk).state == DeliveryState.PENDING


def test_a_row_left_leased_is_looked_at_again_when_its_lease_ends(
    org: Org, smtp_server: SmtpServer
) -> None:
    from django_tasks_db.models import DBTaskResult

    from servicedesk.notifications.tasks import deliver_outbox

    _broadcast(2)
    held = _claim_next(None, "dead-worker", [])
    assert held is not None
    deliver_outbox.call()
    [again] = DBTaskResult.objects.filter(status="READY", task_path=deliver_outbox.module_path)
    assert again.run_after == OutboundEmail.objects.get(pk=held.pk).next_attempt_at


def test_the_connection_to_the_mail_server_sends_each_line_at_once(
    org: Org, smtp_server: SmtpServer
) -> None:
    """With Nagle's algorithm on, the final line of each message waited for the server's delayed
    acknowledgement of its data (40 ms on Linux): a broadcast of 1,000 took a minute."""
    import socket

    from django.core.mail import EmailMultiAlternatives, get_connection

    from servicedesk.notifications.handoff import Handoff

    backend = get_connection(fail_silently=False)
    message = EmailMultiAlternatives("Outage", "Saturday.", to=["reader@example.org"])
    handoff = Handoff(message, backend)
    assert handoff.smtp is not None and handoff.smtp.sock is not None
    assert handoff.smtp.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    handoff.prepare()
    handoff.complete()
    backend.close()
    assert [received.envelope_to for received in smtp_server.received] == [["reader@example.org"]]
