"""Reads of notifications and of the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from servicedesk.directory.models import Person
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.models import Notification, OutboundEmail


def unread_for(person: Person) -> QuerySet[Notification]:
    """A person's unread in-app notifications, newest first (only ever their own)."""
    return (
        Notification.objects.filter(recipient=person, read_at__isnull=True)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )


def outbox_undelivered() -> QuerySet[OutboundEmail]:
    """Pending and failed mail, oldest first: what the admin page lists."""
    return OutboundEmail.objects.filter(
        state__in=[DeliveryState.PENDING, DeliveryState.FAILED]
    ).order_by("created_at", "pk")
