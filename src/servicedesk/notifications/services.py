"""Writes of notifications: the in-app inbox and the mail outbox, in the caller's transaction.

Nothing here talks to a mail server. Outbox rows commit (or roll back) with the change that
caused them; after commit the delivery task is enqueued, and the worker sends them with retries.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import nh3
from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from servicedesk.core.inserts import insert_rows
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import DeliveryState, MailPriority, NotificationKind
from servicedesk.notifications.message_ids import new_message_id, thread_root_id
from servicedesk.notifications.models import Notification, NotificationPreference, OutboundEmail
from servicedesk.notifications.rendering import render_mail
from servicedesk.tickets.access import who_may_know
from servicedesk.tickets.models import Comment, Ticket

logger = logging.getLogger(__name__)

# The switches as a person sees them: field, the kinds it governs (the first names it), label.
MAIL_SWITCHES: list[tuple[str, tuple[str, ...], str]] = [
    ("email_status_updates", (NotificationKind.STATUS,), "Status changes of my tickets"),
    ("email_replies", (NotificationKind.REPLY,), "Replies on my tickets"),
    (
        "email_assignments",
        (NotificationKind.ASSIGNMENT, NotificationKind.DUPLICATE),
        "Tickets assigned to me, and duplicates of them",
    ),
    (
        "email_sla_alerts",
        (NotificationKind.SLA_WARNING, NotificationKind.SLA_BREACH),
        "SLA warnings and breaches",
    ),
]
# Mail a person may switch off, kind → switch; everything else (acknowledgement, resolution, …)
# always goes.
OPTIONAL_MAIL: dict[str, str] = {kind: field for field, kinds, _ in MAIL_SWITCHES for kind in kinds}
# Mail nobody can switch off: the number of a new ticket, and the resolution with its dispute link.
ALWAYS_MAILED: tuple[str, ...] = (NotificationKind.ACKNOWLEDGEMENT, NotificationKind.RESOLUTION)
AUTOMATIC_HEADERS = {
    # RFC 3834: tells well-behaved responders not to answer us, so no loops.
    "Auto-Submitted": "auto-generated",
    # Exchange's own switch for out-of-office and read receipts.
    "X-Auto-Response-Suppress": "All",
}


def ticket_url(ticket: Ticket, recipient: Person | None = None) -> str:
    """The page where this recipient reads the ticket: the workspace for staff, the portal for
    everyone else, on the configured base URL."""
    page = "workspace:ticket" if recipient is not None and recipient.is_staff_member else None
    try:
        path = reverse(page or "portal:ticket", args=[ticket.number])
    except NoReverseMatch:
        path = f"/{'workspace' if page else 'portal'}/tickets/{ticket.number}/"
    return f"{settings.SERVICEDESK_BASE_URL}{path}"


def _unique_people(recipients: Iterable[Person | None]) -> list[Person]:
    seen: dict[int, Person] = {}
    for person in recipients:
        if person is not None and person.is_active and person.pk not in seen:
            seen[person.pk] = person
    return list(seen.values())


def _mail_wanted(kind: str, people: list[Person]) -> set[int]:
    """Ids of the people who get this kind by mail (those with an address who did not opt out)."""
    with_address = {person.pk for person in people if person.email}
    switch = OPTIONAL_MAIL.get(kind)
    if switch is None:
        return with_address
    opted_out = NotificationPreference.objects.filter(
        person_id__in=with_address, **{switch: False}
    ).values_list("person_id", flat=True)
    return with_address - set(opted_out)


def _thread_headers(kind: str, ticket: Ticket | None) -> dict[str, str]:
    headers = dict(AUTOMATIC_HEADERS)
    if ticket is None:
        headers["Message-ID"] = new_message_id(None)
        return headers
    root = thread_root_id(ticket)
    headers["X-Servicedesk-Ticket"] = ticket.number
    if kind == NotificationKind.ACKNOWLEDGEMENT:
        # The acknowledgement starts the thread; every later mail answers it.
        headers["Message-ID"] = root
    else:
        headers["Message-ID"] = new_message_id(ticket)
        headers["In-Reply-To"] = root
        headers["References"] = root
    return headers


def priority_of(kind: str) -> MailPriority:
    """Mail about one ticket to its people goes before the rest (broadcasts, notices with a
    caller's own title and text), so an acknowledgement is not queued behind a broadcast."""
    if kind in NotificationKind.values and kind != NotificationKind.GENERAL:
        return MailPriority.INTERACTIVE
    return MailPriority.BULK


def _outbox_row(
    person: Person,
    *,
    kind: str,
    ticket: Ticket | None,
    context: Mapping[str, object],
    event: str,
    event_key: str,
    now: datetime,
) -> OutboundEmail:
    mail_context = {"ticket_url": ticket_url(ticket, person) if ticket else "", **context}
    rendered = render_mail(kind, mail_context, person, ticket)
    return OutboundEmail(
        to_address=person.email,
        recipient=person,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=_thread_headers(kind, ticket),
        ticket=ticket,
        event=event[:40],
        kind=kind if kind in NotificationKind.values else NotificationKind.GENERAL,
        priority=priority_of(kind),
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        created_at=now,
        dedupe_key=f"{event_key}|{person.email.strip().lower()}"[:400],
    )


def schedule_delivery() -> None:
    """Enqueue the delivery task; called on commit. A failure to enqueue loses nothing: the
    rows stay pending and the periodic run (or `servicedesk deliver_mail`) picks them up."""
    from servicedesk.notifications.tasks import deliver_outbox

    try:
        if not waiting_to_run(deliver_outbox):
            deliver_outbox.enqueue()
    except Exception:
        logger.exception("Could not enqueue mail delivery; the periodic run will send it")


# One statement written once (the ORM built and compiled it anew after every filing's commit).
WAITING_RUN = (
    f"SELECT 1 FROM {DBTaskResult._meta.db_table} WHERE task_path = %s AND status = %s "
    "AND (run_after = %s OR run_after <= %s) LIMIT 1"
)


def waiting_to_run(task: Task[[], Any]) -> bool:
    """Whether a run of `task` is queued and not started: it will deliver every row due when it
    starts, ours included (they are committed), so another run would find nothing to send. A
    look-up instead of an insert: every filing would otherwise add a task row (a write)."""
    # django-tasks' `ready()`: a task enqueued to run at once has no time to wait for (it
    # stores the largest date, not NULL), so a filter on the time alone never sees it.
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            WAITING_RUN,
            [
                task.module_path,
                TaskResultStatus.READY,
                adapt(get_date_max()),
                adapt(timezone.now()),
            ],
        )
        return cursor.fetchone() is not None


def deliver_after_commit() -> None:
    """Enqueue delivery once per transaction, however many notifications it queued: a major
    incident's resolution queues hundreds, and each enqueue is a task row and a worker run."""
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is schedule_delivery for entry in pending):
        transaction.on_commit(schedule_delivery)


def notify_people(
    recipients: Iterable[Person | None],
    *,
    kind: str,
    title: str,
    body: str,
    ticket: Ticket | None,
    email: bool = True,
    event: str = "notify",
    event_key: str | None = None,
    context: Mapping[str, object] | None = None,
    comment: Comment | None = None,
) -> list[OutboundEmail]:
    """In-app notifications for everyone, mail for those who want it; returns the queued mail.

    About a ticket (and a comment), only the recipients the access policy lets know it (and
    read the comment) are told, in-app and by mail alike. `event_key` names the event, so that
    the same event never mails one address twice.
    """
    people = _unique_people(recipients)
    if ticket is not None:
        people = who_may_know(ticket, people, comment=comment)
    if not people:
        return []
    now = timezone.now()
    insert_rows(
        [
            Notification(
                recipient=person,
                ticket=ticket,
                kind=kind,
                title=title[:300],
                body=body,
                created_at=now,
            )
            for person in people
        ]
    )
    if not email:
        return []
    wanted = _mail_wanted(kind, people)
    key = event_key or f"{event}:{uuid.uuid4().hex}"
    full_context = {"title": title, "body": body, **(context or {})}
    rows = [
        _outbox_row(
            person,
            kind=kind,
            ticket=ticket,
            context=full_context,
            event=event,
            event_key=key,
            now=now,
        )
        for person in people
        if person.pk in wanted
    ]
    if rows:
        # A row whose key is already queued is the same event again: keep the first one.
        insert_rows(rows, ignore_conflicts=True)
        deliver_after_commit()
    return rows


def notify(
    recipients: Iterable[Person],
    *,
    kind: str,
    title: str,
    body: str,
    ticket: Ticket | None = None,
    email: bool = True,
) -> None:
    """The public API: tell these people something, in-app and (if `email`) by mail.

    Call it inside your own transaction; the mail is sent after that transaction commits.
    A `kind` without its own template is mailed with the `general` one (title and body).
    """
    notify_people(
        recipients, kind=kind, title=title, body=body, ticket=ticket, email=email, event=kind
    )


def mail_address(
    address: str, *, subject: str, text: str, event: str, event_key: str, in_reply_to: str = ""
) -> bool:
    """One plain mail to an address that may be no one's in the directory (the sender of a
    message the desk could not take); marked automatic, so that robots do not answer it.
    Returns whether it was queued (the same `event_key` never mails an address twice)."""
    headers = dict(AUTOMATIC_HEADERS)
    headers["Message-ID"] = new_message_id(None)
    if in_reply_to:
        headers["In-Reply-To"] = headers["References"] = " ".join(in_reply_to.split())
    now = timezone.now()
    row = OutboundEmail(
        to_address=address,
        subject=" ".join(subject.split())[:300],
        body_text=text,
        headers=headers,
        event=event[:40],
        kind=NotificationKind.GENERAL,
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        created_at=now,
        dedupe_key=f"{event_key}|{address.strip().lower()}"[:400],
    )
    if OutboundEmail.objects.filter(dedupe_key=row.dedupe_key).exists():
        return False
    OutboundEmail.objects.bulk_create([row], ignore_conflicts=True)
    deliver_after_commit()
    return True


def notifications_mark_read(person: Person, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read; returns how many."""
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def preferences_save(person: Person, enabled_kinds: Iterable[str]) -> NotificationPreference:
    """Save which optional mail a person wants: a switch is on if any kind it governs is named.

    Kinds that are always mailed (acknowledgement, resolution) are ignored; in-app is always on.
    """
    enabled = set(enabled_kinds)
    values = {field: any(kind in enabled for kind in kinds) for field, kinds, _ in MAIL_SWITCHES}
    preference, _ = NotificationPreference.objects.update_or_create(person=person, defaults=values)
    return preference


def outbox_retry(rows: Iterable[OutboundEmail]) -> int:
    """Put pending or failed mail back in line now, with a fresh count of attempts."""
    pks = [row.pk for row in rows]
    count = (
        OutboundEmail.objects.filter(pk__in=pks)
        .exclude(state=DeliveryState.SENT)
        .update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
    )
    if count:
        deliver_after_commit()
    return count


def mail_prepared(
    recipients: Iterable[tuple[str, Person | None]],
    *,
    subject: str,
    text: str,
    html: str,
    event: str,
    event_key: str,
) -> list[OutboundEmail]:
    """Queue one mail its caller has written (a report, say) to each address, in the caller's
    transaction; sent after commit like every other mail. The HTML is sanitised here.

    `recipients` are (address, person or None for an outside address); an address listed twice
    gets one mail, and `event_key` keeps a retried caller from queueing the same mail again.
    """
    now = timezone.now()
    clean_html = nh3.clean(html, link_rel="noopener noreferrer")
    one_line_subject = " ".join(subject.split())[:300]
    rows: dict[str, OutboundEmail] = {}
    for address, person in recipients:
        normalised = address.strip().lower()
        if not normalised or normalised in rows:
            continue
        rows[normalised] = OutboundEmail(
            to_address=address.strip(),
            recipient=person,
            subject=one_line_subject,
            body_text=text,
            body_html=clean_html,
            headers={**AUTOMATIC_HEADERS, "Message-ID": new_message_id(None)},
            ticket=None,
            event=event[:40],
            kind=NotificationKind.GENERAL,
            priority=MailPriority.BULK,
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            created_at=now,
            dedupe_key=f"{event_key}|{normalised}"[:400],
        )
    created = OutboundEmail.objects.bulk_create(rows.values(), ignore_conflicts=True)
    if created:
        deliver_after_commit()
    return created


def mail_addresses(
    addresses: Iterable[str], *, subject: str, text: str, event: str, event_key: str
) -> list[OutboundEmail]:
    """Plain-text mail to addresses that are not people of ours (a partner's distribution
    list), through `mail_prepared`: one event never mails one address twice."""
    return mail_prepared(
        ((address, None) for address in addresses),
        subject=subject,
        text=text,
        html="",
        event=event,
        event_key=event_key,
    )
