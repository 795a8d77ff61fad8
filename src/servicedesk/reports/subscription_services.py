"""Writes of the subscriptions: subscribe, cancel, and send those whose time has come.

Sending reuses the shift reports' way: one transaction per subscription, its row locked and its
due-ness checked again under the lock, the mail queued in the notifications outbox (delivered
after commit), so two schedulers never send the same period twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from servicedesk.directory.choices import Role
from servicedesk.directory.models import DistributionList, Person
from servicedesk.notifications.services import mail_prepared
from servicedesk.reports.errors import ReportError, ReportErrorCode
from servicedesk.reports.models import Frequency, Subscription, SubscriptionSource
from servicedesk.reports.shift_services import list_recipients
from servicedesk.reports.subscriptions import (
    dashboard_query_of,
    due_moment,
    is_due,
    subscription_content,
    subscription_render,
)
from servicedesk.workspace.models import SavedView

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscriptionRequest:
    """What a person asked for, as their form gave it (`saved_view_id` None: the dashboard)."""

    saved_view_id: int | None
    dashboard_params: QueryDict
    frequency: str
    weekday: int | None
    send_at: time
    distribution_list: DistributionList | None = None
    viewer: Person | None = None


def _refuse(message: str, field: str) -> ReportError:
    return ReportError(ReportErrorCode.INVALID, message, field=field)


def _saved_view(actor: Person, pk: int) -> SavedView:
    view = SavedView.objects.filter(pk=pk).first()
    if view is None:
        raise _refuse(f"There is no saved view number {pk}.", "saved_view")
    if view.owner_id != actor.pk:
        raise _refuse("That saved view is someone else's; subscribe to one of yours.", "saved_view")
    return view


def _viewer(actor: Person, wanted: SubscriptionRequest) -> Person:
    if wanted.distribution_list is None:
        return actor
    if actor.role != Role.ADMIN:
        raise ReportError(
            ReportErrorCode.NOT_PERMITTED,
            "Only an administrator can subscribe a distribution list.",
            field="distribution_list",
        )
    viewer = wanted.viewer
    if viewer is None or not viewer.is_active or not viewer.is_staff_member:
        raise _refuse("Choose whose view of the tickets the list receives.", "viewer")
    return viewer


def _zone_name(person: Person) -> str:
    """The person's zone, or the desk's when theirs is not a zone the system knows."""
    try:
        ZoneInfo(person.time_zone)
    except (ValueError, ZoneInfoNotFoundError):
        return str(settings.TIME_ZONE)
    return person.time_zone


@transaction.atomic
def subscription_create(*, actor: Person, wanted: SubscriptionRequest) -> Subscription:
    """Subscribe the actor (or, for an admin, a distribution list) to a saved view or the
    dashboard. Times are in the actor's own zone."""
    if not actor.is_active or not actor.is_staff_member:
        raise ReportError(ReportErrorCode.NOT_PERMITTED, "Only staff can subscribe.")
    if wanted.frequency not in Frequency.values:
        raise _refuse("Choose daily or weekly.", "frequency")
    weekly = wanted.frequency == Frequency.WEEKLY
    if weekly and wanted.weekday is None:
        raise _refuse("A weekly mail needs its day of the week.", "weekday")
    view = None if wanted.saved_view_id is None else _saved_view(actor, wanted.saved_view_id)
    viewer = _viewer(actor, wanted)
    return Subscription.objects.create(
        source=SubscriptionSource.DASHBOARD if view is None else SubscriptionSource.SAVED_VIEW,
        saved_view=view,
        dashboard_query="" if view is not None else dashboard_query_of(wanted.dashboard_params),
        viewer=viewer,
        distribution_list=wanted.distribution_list,
        frequency=wanted.frequency,
        weekday=wanted.weekday if weekly else None,
        send_at=wanted.send_at,
        time_zone=_zone_name(actor),
        created_by=actor,
    )


def may_cancel(person: Person, subscription: Subscription) -> bool:
    if subscription.distribution_list_id is not None:
        return person.is_active and person.role == Role.ADMIN
    return person.is_active and person.pk == subscription.viewer_id


@transaction.atomic
def subscription_cancel(subscription: Subscription, *, actor: Person) -> Subscription:
    """No more mails; the row stays as the record (cancelling twice changes nothing)."""
    if not may_cancel(actor, subscription):
        raise ReportError(ReportErrorCode.NOT_PERMITTED, "This subscription is not yours.")
    current = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if current.cancelled_at is None:
        current.cancelled_at = timezone.now()
        current.save(update_fields=["cancelled_at"])
    return current


def _recipients(subscription: Subscription) -> list[tuple[str, Person | None]]:
    if subscription.distribution_list is not None:
        return list_recipients(subscription.distribution_list)
    viewer = subscription.viewer
    return [(viewer.email, viewer)] if viewer.email else []


def _send_locked(subscription: Subscription, now: datetime) -> int:
    viewer = subscription.viewer
    recipients = _recipients(subscription)
    if not viewer.is_active or not viewer.is_staff_member or not recipients:
        logger.warning("Subscription %s not sent: no one may receive it", subscription.pk)
        return 0
    rendered = subscription_render(subscription_content(subscription, now))
    moment = due_moment(subscription, now)
    queued = mail_prepared(
        recipients,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        event="report_subscription",
        event_key=f"subscription:{subscription.key}:{moment.isoformat()}",
    )
    subscription.last_sent_at = now
    subscription.save(update_fields=["last_sent_at"])
    return len(queued)


def subscriptions_send_due(now: datetime | None = None) -> int:
    """Send every subscription whose time has come; each in its own transaction. Returns how
    many mails were queued."""
    now = now or timezone.now()
    queued = 0
    for subscription in Subscription.objects.filter(cancelled_at__isnull=True):
        if not is_due(subscription, now):
            continue
        try:
            queued += _send_if_still_due(subscription.pk, now)
        except Exception:  # one broken subscription must not hold up everyone else's
            logger.exception("Subscription %s not sent", subscription.pk)
    return queued


@transaction.atomic
def _send_if_still_due(pk: int, now: datetime) -> int:
    current = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("viewer", "saved_view", "distribution_list")
        .get(pk=pk)
    )
    # Re-checked under the lock: another scheduler may have sent it, or it was cancelled.
    return _send_locked(current, now) if is_due(current, now) else 0
