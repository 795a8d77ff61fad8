"""Rows written by `insert_rows` read back as `bulk_create` would have written them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.core.inserts import MOST_ROWS, insert_rows
from servicedesk.notifications.choices import DeliveryState, NotificationKind
from servicedesk.notifications.models import OutboundEmail
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import ticket_create


def test_history_rows_come_back_with_their_keys_and_read_back_as_written(org: Org) -> None:
    ticket = ticket_create(actor=org.desk, kind=TicketKind.INCIDENT, short_description="VPN")
    at = timezone.now() - timedelta(minutes=5)
    rows = insert_rows(
        [
            TicketHistory(ticket=ticket, actor=org.desk, at=at, action="test", field=name, after=v)
            for name, v in (("state", "new"), ("priority", "p3"), ("note", "Ünïcode ✓"))
        ]
    )
    assert all(row.pk is not None and not row._state.adding for row in rows)
    read = TicketHistory.objects.filter(action="test").order_by("pk")
    assert [(row.pk, row.field, row.after, row.at, row.actor_id) for row in read] == [
        (row.pk, row.field, row.after, at, org.desk.pk) for row in rows
    ]


def test_a_row_assigned_its_ticket_before_the_ticket_was_saved_takes_its_key(org: Org) -> None:
    ticket = Ticket(kind=TicketKind.INCIDENT, short_description="x", requester=org.employee)
    entry = TicketHistory(ticket=ticket, actor=None, at=timezone.now(), action="test")
    ticket.number = "INC9999001"
    ticket.requested_by = org.employee
    ticket.save()
    insert_rows([entry])
    assert TicketHistory.objects.get(pk=entry.pk).ticket_id == ticket.pk


def _mail(key: str, subject: str) -> OutboundEmail:
    now = timezone.now()
    return OutboundEmail(
        to_address="someone@example.org",
        subject=subject,
        body_text="Body",
        headers={"Message-ID": f"<{key}@example.org>"},
        kind=NotificationKind.GENERAL,
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        created_at=now,
        dedupe_key=key,
    )


def test_ignoring_conflicts_keeps_the_first_row_of_a_key_and_json_as_sent(org: Org) -> None:
    insert_rows([_mail("event|a", "First")], ignore_conflicts=True)
    insert_rows([_mail("event|a", "Again"), _mail("event|b", "Other")], ignore_conflicts=True)
    subjects = dict(OutboundEmail.objects.values_list("dedupe_key", "subject"))
    assert subjects == {"event|a": "First", "event|b": "Other"}
    assert OutboundEmail.objects.get(dedupe_key="event|b").headers == {
        "Message-ID": "<event|b@example.org>"
    }


def test_a_batch_larger_than_one_statement_takes_is_written_whole(org: Org) -> None:
    mails = [_mail(f"event|{number}", "Broadcast") for number in range(MOST_ROWS * 2 + 1)]
    insert_rows(mails, ignore_conflicts=True)
    assert OutboundEmail.objects.filter(subject="Broadcast").count() == MOST_ROWS * 2 + 1
