"""Which ticket events notify whom: in-app rows and outbox rows, in the ticket's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from servicedesk.conftest import Org
from servicedesk.notifications.choices import NotificationKind as K
from servicedesk.notifications.message_ids import (
    has_unverified_token,
    thread_root_id,
    ticket_pks_from_tokens,
)
from servicedesk.notifications.models import (
    MailTemplate,
    Notification,
    NotificationPreference,
    OutboundEmail,
)
from servicedesk.notifications.selectors import unread_for
from servicedesk.notifications.services import notifications_mark_read, notify
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.services import (
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_link,
    ticket_transition,
)


def mails(kind: str | None = None) -> list[OutboundEmail]:
    rows = OutboundEmail.objects.order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def new_ticket(org: Org, **extra):
    return ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="VPN drops every hour",
        affected_people=[org.colleague],
        **extra,
    )


def test_creation_acknowledges_the_requester_with_the_number(org: Org) -> None:
    ticket = new_ticket(org)
    [ack] = mails()
    assert ack.kind == K.ACKNOWLEDGEMENT
    assert ack.to_address == org.employee.email
    assert f"[{ticket.number}]" in ack.subject
    assert ticket.number in ack.body_text
    assert ack.headers["Message-ID"] == thread_root_id(ticket)
    assert ack.headers["Auto-Submitted"] == "auto-generated"
    assert unread_for(org.employee).get().ticket == ticket


def test_each_state_change_mails_the_requester_and_each_affected_person_once(org: Org) -> None:
    ticket = new_ticket(org)
    ticket = ticket_assign(
        ticket, actor=org.desk, version=ticket.version, group=org.desk_group, assignee=org.desk
    )
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.IN_PROGRESS
    )
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.AWAITING_CUSTOMER
    )
    status = mails(K.STATUS)
    assert len(status) == 3 * 2
    for address in (org.employee.email, org.colleague.email):
        assert len([row for row in status if row.to_address == address]) == 3
    root = thread_root_id(ticket)
    assert all(row.headers["In-Reply-To"] == root for row in status)
    assert all(row.headers["References"] == root for row in status)
    assert all(f"[{ticket.number}]" in row.subject for row in status)


def test_resolution_carries_the_dispute_link_and_deadline_in_local_time(org: Org) -> None:
    org.colleague.time_zone = "Europe/Berlin"
    org.colleague.save()
    ticket = new_ticket(org)
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Rebooted"
    )
    notices = {row.to_address: row for row in mails(K.RESOLUTION)}
    assert set(notices) == {org.employee.email, org.colleague.email}
    assert not mails(K.STATUS)  # the resolution notice *is* the state change mail
    text = notices[org.colleague.email].body_text
    assert f"/portal/tickets/{ticket.number}/#dispute" in text
    assert "Rebooted" in text
    assert "CET" in text or "CEST" in text
    assert "CST" in notices[org.employee.email].body_text or "CDT" in (
        notices[org.employee.email].body_text
    )


def test_public_replies_go_to_the_other_side(org: Org) -> None:
    ticket = new_ticket(org, requester=None)
    ticket = ticket_assign(
        ticket, actor=org.desk, version=ticket.version, group=org.desk_group, assignee=org.desk
    )
    OutboundEmail.objects.all().delete()
    comment_add(ticket, actor=org.desk, body="Can you try another cable?")
    assert sorted(row.to_address for row in mails(K.REPLY)) == sorted(
        [org.employee.email, org.colleague.email]
    )
    OutboundEmail.objects.all().delete()
    comment_add(ticket, actor=org.employee, body="Same with another cable")
    assert [row.to_address for row in mails(K.REPLY)] == [org.desk.email]
    comment_add(ticket, actor=org.desk, body="internal", internal=True)
    assert len(mails(K.REPLY)) == 1


def test_assignment_tells_the_new_assignee(org: Org) -> None:
    ticket = new_ticket(org)
    ticket_assign(
        ticket, actor=org.lead, version=ticket.version, group=org.desk_group, assignee=org.desk
    )
    assert Notification.objects.filter(recipient=org.desk, kind=K.ASSIGNMENT).count() == 1
    assert [row.to_address for row in mails(K.ASSIGNMENT)] == [org.desk.email]


def test_a_duplicate_tells_the_first_reports_assignee(org: Org) -> None:
    first = new_ticket(org)
    first = ticket_assign(
        first, actor=org.desk, version=first.version, group=org.network_group, assignee=org.network
    )
    second = ticket_create(
        actor=org.stranger, kind=TicketKind.INCIDENT, short_description="VPN down here too"
    )
    ticket_link(second, first, actor=org.desk, kind=LinkKind.DUPLICATE_OF)
    [mail] = mails(K.DUPLICATE)
    assert mail.to_address == org.network.email
    assert second.number in mail.subject and f"[{first.number}]" in mail.subject
    assert Notification.objects.filter(recipient=org.network, kind=K.DUPLICATE).count() == 1


def test_preferences_switch_off_what_is_optional_only(org: Org) -> None:
    NotificationPreference.objects.create(person=org.employee, email_status_updates=False)
    ticket = new_ticket(org)
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.IN_PROGRESS
    )
    ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Done"
    )
    to_employee = [row.kind for row in mails() if row.to_address == org.employee.email]
    assert to_employee == [K.ACKNOWLEDGEMENT, K.RESOLUTION]
    # In-app notifications are never switched off.
    assert Notification.objects.filter(recipient=org.employee, kind=K.STATUS).count() == 1


def test_a_refused_change_queues_nothing(org: Org) -> None:
    ticket = new_ticket(org)
    before = OutboundEmail.objects.count()
    with pytest.raises(TicketError):
        ticket_transition(ticket, actor=org.desk, version=ticket.version, to=TicketState.CLOSED)
    assert OutboundEmail.objects.count() == before


def test_notify_writes_in_the_callers_transaction(org: Org) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([org.employee], kind="outage", title="Network outage", body="Fiber cut")
        raise RuntimeError("the caller's change failed")
    assert not Notification.objects.exists() and not OutboundEmail.objects.exists()
    notify([org.employee, org.employee], kind="outage", title="Network outage", body="Fiber cut")
    [row] = mails()
    assert row.kind == K.GENERAL and row.subject == "Network outage"
    assert "Fiber cut" in row.body_text
    assert unread_for(org.employee).count() == 1
    assert notifications_mark_read(org.employee) == 1
    assert not unread_for(org.employee).exists()
    assert not unread_for(org.colleague).exists()


def test_html_is_escaped_and_sanitised(org: Org) -> None:
    MailTemplate.objects.update_or_create(
        kind=K.ACKNOWLEDGEMENT,
        defaults={
            "subject_template": "Got {{ ticket.short_description }}",
            "text_template": "<script>alert(1)</script><b>{{ ticket.short_description }}</b>",
        },
    )
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="<img src=x onerror=y>"
    )
    [row] = mails()
    assert row.subject.startswith(f"[{ticket.number}] ")  # the number is always in the subject
    assert "<script>" not in row.body_html and "alert(1)" not in row.body_html
    assert "&lt;img src=x onerror=y&gt;" in row.body_html
    assert "<b>" in row.body_html
    assert "<img src=x onerror=y>" in row.body_text  # plain text is not HTML


def test_tokens_verify_and_forgeries_do_not(org: Org) -> None:
    ticket = new_ticket(org)
    root = thread_root_id(ticket)
    assert ticket_pks_from_tokens([f"<a@b> {root}"]) == [ticket.pk]
    tampered = f"<sd-{ticket.pk}-{'0' * 20}.root@servicedesk.localhost>"
    assert ticket_pks_from_tokens([tampered]) == []
    assert has_unverified_token([tampered])


def test_an_edited_template_gets_plain_values_never_model_objects(org: Org) -> None:
    from servicedesk.notifications.models import MailTemplate
    from servicedesk.notifications.rendering import render_mail
    from servicedesk.tickets.choices import TicketKind
    from servicedesk.tickets.services import ticket_create

    MailTemplate.objects.update_or_create(
        kind="general",
        defaults={
            "subject_template": "{{ title }}",
            "text_template": "[{{ recipient.password }}][{{ recipient.email }}]"
            "[{{ ticket.requester.password }}][{{ ticket.requester.is_superuser }}]"
            "[{{ ticket.description }}] {{ recipient }} on {{ ticket.number }}",
        },
    )
    org.employee.set_password("a secret only the hash knows")
    org.employee.save()
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="x", description="d"
    )
    mail = render_mail("general", {"title": "t"}, org.employee, ticket)
    assert org.employee.password.startswith(("pbkdf2", "argon2", "md5"))
    assert org.employee.password not in mail.text
    assert "[][][][][] Employee on " + ticket.number in mail.text
