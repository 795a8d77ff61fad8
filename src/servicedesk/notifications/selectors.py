"""Reads of notifications and of the outbox."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.message_ids import ticket_pks_from_tokens
from servicedesk.notifications.models import Notification, NotificationPreference, OutboundEmail
from servicedesk.tickets.access import visible_tickets


def _still_known(person: Person) -> Q:
    """A notification shows only while its ticket is one the person may know (the access
    policy): one about a ticket since handed to another agency's team is no longer listed."""
    return Q(ticket__isnull=True) | Q(ticket__in=visible_tickets(person).values("pk"))


def unread_for(person: Person) -> QuerySet[Notification]:
    """A person's unread in-app notifications, newest first (only ever their own)."""
    return (
        Notification.objects.filter(_still_known(person), recipient=person, read_at__isnull=True)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )


def notifications_of(person: Person) -> QuerySet[Notification]:
    """All of a person's in-app notifications, newest first (only ever their own)."""
    return (
        Notification.objects.filter(_still_known(person), recipient=person)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )


def notification_of(person: Person, pk: int) -> Notification:
    """One of the person's own notifications; `Notification.DoesNotExist` for anyone else's."""
    return notifications_of(person).get(pk=pk)


def _unread_counted(person_id: int) -> QuerySet[Notification, tuple[int]]:
    unread = Notification.objects.filter(recipient_id=person_id, read_at__isnull=True)
    return unread.values("recipient_id").annotate(counted=Count("pk")).values_list("counted")


# Asked by every page's navigation: compiled once (`core.kept_queries`). Written as a grouped
# count, not `.count()`, which Django compiles as a new statement each time.
_UNREAD_COUNTED = KeptQuery(_unread_counted)


def unread_count(person: Person) -> int:
    """How many unread notifications a person has: one indexed COUNT."""
    for row in _UNREAD_COUNTED(person.pk):
        return int(row[0])
    return 0


def preference_of(person: Person) -> NotificationPreference:
    """The person's mail switches; an unsaved row with the defaults (all on) if they have none."""
    found = NotificationPreference.objects.filter(person=person).first()
    return found if found is not None else NotificationPreference(person=person)


def outbox_undelivered() -> QuerySet[OutboundEmail]:
    """Pending and failed mail, oldest first: what the admin page lists."""
    return OutboundEmail.objects.filter(
        state__in=[DeliveryState.PENDING, DeliveryState.FAILED]
    ).order_by("created_at", "pk")


def outbound_with_message_id(message_id: str, address: str) -> OutboundEmail | None:
    """The mail of ours with this Message-ID sent to this address (what a bounce names).

    Our Message-IDs carry their ticket's token, so the look-up starts from that ticket's mail;
    a Message-ID without one (a report, say) is looked for among mail to that address.
    """
    candidates = OutboundEmail.objects.filter(to_address__iexact=address.strip())
    pks = ticket_pks_from_tokens([message_id])
    if pks:
        candidates = candidates.filter(ticket_id=pks[0])
    for row in candidates.exclude(state=DeliveryState.PENDING).order_by("-pk")[:200]:
        if str(row.headers.get("Message-ID", "")).strip() == message_id.strip():
            return row
    return None
