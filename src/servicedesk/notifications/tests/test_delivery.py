"""Delivery over real SMTP (aiosmtpd on loopback): threading headers, retries, nothing twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from servicedesk.conftest import Org
from servicedesk.directory.choices import Role
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.delivery import backoff, deliver_all_due
from servicedesk.notifications.message_ids import thread_root_id
from servicedesk.notifications.models import OutboundEmail
from servicedesk.notifications.services import outbox_retry, schedule_delivery
from servicedesk.notifications.tests.smtp_server import SmtpServer, free_port
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.services import ticket_create, ticket_transition
from servicedesk.tickets.services.drafts import ticket_file


def test_a_portal_ticket_yields_an_acknowledgement_with_its_number(
    org: Org, smtp_server: SmtpServer
) -> None:
    ticket = ticket_file(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Monitor flickers",
        description="Since the update",
        affected_people=[org.colleague],
    )
    report = deliver_all_due()
    assert report.sent == 1
    [mail] = smtp_server.received
    assert mail.envelope_to == [org.employee.email]
    assert f"[{ticket.number}]" in str(mail.message["Subject"])
    assert ticket.number in mail.text
    assert ticket.number in mail.html
    assert mail.message["Message-ID"] == thread_root_id(ticket)
    assert mail.message["Auto-Submitted"] == "auto-generated"
    row = OutboundEmail.objects.get()
    assert row.state == DeliveryState.SENT and row.sent_at is not None and row.attempts == 1


def test_each_state_change_arrives_once_per_person(org: Org, smtp_server: SmtpServer) -> None:
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Scanner offline",
        affected_people=[org.colleague],
    )
    for state in (TicketState.IN_PROGRESS, TicketState.AWAITING_VENDOR, TicketState.IN_PROGRESS):
        ticket = ticket_transition(ticket, actor=org.desk, version=ticket.version, to=state)
    deliver_all_due()
    deliver_all_due()  # a second run sends nothing again
    assert len(smtp_server.to(org.employee.email)) == 1 + 3
    assert len(smtp_server.to(org.colleague.email)) == 3
    root = thread_root_id(ticket)
    updates = [m for m in smtp_server.received if m.message["Message-ID"] != root]
    assert all(m.message["In-Reply-To"] == root for m in updates)
    assert len({m.message["Message-ID"] for m in smtp_server.received}) == 7


def test_two_hundred_acknowledgements_survive_an_smtp_outage(
    org: Org, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    people = []
    for index in range(20):
        person = org.employee.__class__.objects.create(
            username=f"clerk{index}", email=f"clerk{index}@example.org", role=Role.REQUESTER
        )
        people.append(person)
    for index in range(200):
        ticket_create(
            actor=people[index % 20], kind=TicketKind.INCIDENT, short_description=f"Issue {index}"
        )
    down = deliver_all_due()
    assert down.sent == 0 and down.retrying == 200
    assert OutboundEmail.objects.filter(state=DeliveryState.PENDING, attempts=1).count() == 200
    assert deliver_all_due().attempted == 0  # backing off: nothing is due yet

    smtp_server.start()
    later = timezone.now() + backoff(1) + timedelta(seconds=1)
    up = deliver_all_due(now=later)
    assert up.sent == 200
    assert deliver_all_due(now=later + timedelta(days=1)).attempted == 0
    subjects = [str(mail.message["Subject"]) for mail in smtp_server.received]
    assert len(subjects) == 200 and len(set(subjects)) == 200
    assert OutboundEmail.objects.filter(state=DeliveryState.SENT).count() == 200


def test_retries_back_off_then_fail_and_an_admin_can_retry(org: Org, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.SERVICEDESK_MAIL_MAX_ATTEMPTS = 3
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    now = timezone.now()
    for attempt in (1, 2, 3):
        deliver_all_due(now=now)
        row = OutboundEmail.objects.get()
        assert row.attempts == attempt
        now = row.next_attempt_at + timedelta(seconds=1)
    assert row.state == DeliveryState.FAILED
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    assert backoff(1) < backoff(2) < backoff(3)

    assert outbox_retry([row]) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.PENDING, 0, "")


def test_delivery_is_enqueued_after_commit(org: Org, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    assert callbacks
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_outbox").exists()


def test_filings_while_a_delivery_run_waits_queue_no_other_run(
    org: Org, django_capture_on_commit_callbacks
) -> None:
    # The waiting run sends every row due when it starts: a run per filing would be a write
    # per filing for the worker to find nothing to do.
    for title in ("Printer", "Scanner", "Monitor"):
        with django_capture_on_commit_callbacks(execute=True):
            ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=title)
    assert OutboundEmail.objects.count() == 3
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_outbox").count() == 1


def test_a_filing_after_the_waiting_run_started_queues_the_next_run(
    org: Org, django_capture_on_commit_callbacks
) -> None:
    # What each filing's commit runs, called as the commits would: while a run waits to start
    # it will send the new mail, so none is added; a run that started may have looked before
    # the filing committed, and a run set for later is not waiting to start: each needs
    # another run.
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer")
    runs = DBTaskResult.objects.filter(task_path__endswith="deliver_outbox")
    schedule_delivery()
    assert runs.count() == 1
    runs.update(status=TaskResultStatus.RUNNING)
    schedule_delivery()
    assert runs.filter(status=TaskResultStatus.READY).count() == 1
    runs.update(status=TaskResultStatus.READY, run_after=timezone.now() + timedelta(minutes=5))
    schedule_delivery()
    assert runs.count() == 3


def test_deliver_mail_command_drains_the_outbox(org: Org, smtp_server: SmtpServer) -> None:
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    out = StringIO()
    call_command("deliver_mail", stdout=out)
    assert "sent 1" in out.getvalue()
    assert len(smtp_server.received) == 1


def test_admin_lists_undelivered_mail_and_retries_it(org: Org, admin_client: Client) -> None:
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Lost mail")
    row = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=DeliveryState.FAILED, attempts=8, last_error="SMTPServerDisconnected"
    )
    url = reverse("admin:notifications_outboundemail_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "SMTPServerDisconnected" in page.content.decode()
    response = admin_client.post(url, {"action": "retry", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == DeliveryState.PENDING and row.attempts == 0
