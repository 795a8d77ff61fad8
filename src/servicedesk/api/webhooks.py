"""Webhook subscriptions and the outbox rows ticket events leave for them.

The listener runs inside the ticket's transaction (see `tickets.events`): it only writes
`WebhookDelivery` rows, which commit or roll back with the change; after commit the delivery
task is enqueued, and `api.webhook_delivery` sends them with retries.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
import uuid
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from servicedesk.api.models import WebhookDelivery, WebhookSubscription
from servicedesk.core.editions import cached
from servicedesk.core.errors import DomainError
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.tickets.access import who_may_know
from servicedesk.tickets.events import EventName, TicketEvent

logger = logging.getLogger(__name__)


class WebhookEventType(StrEnum):
    CREATED = "ticket.created"
    UPDATED = "ticket.updated"
    STATE_CHANGED = "ticket.state_changed"
    COMMENTED = "ticket.commented"
    SLA_WARNING = "sla.warning"
    SLA_BREACH = "sla.breach"
    # Published by outages.major and outages.communications on the major incident's ticket.
    MAJOR_DECLARED = "major_incident.declared"
    MAJOR_ATTACHED = "major_incident.attached"
    MAJOR_UPDATED = "major_incident.updated"
    MAJOR_RESOLVED = "major_incident.resolved"


class WebhookErrorCode(StrEnum):
    INVALID_URL = "invalid_url"
    URL_NOT_ALLOWED = "url_not_allowed"
    NOT_PERMITTED = "not_permitted"
    REQUIRED = "required"


class WebhookError(DomainError):
    code: WebhookErrorCode


def event_type_of(event: TicketEvent) -> WebhookEventType:
    named = {
        EventName.CREATE: WebhookEventType.CREATED,
        EventName.COMMENT_PUBLIC: WebhookEventType.COMMENTED,
        EventName.COMMENT_INTERNAL: WebhookEventType.COMMENTED,
        EventName.SLA_WARNING: WebhookEventType.SLA_WARNING,
        EventName.SLA_BREACH: WebhookEventType.SLA_BREACH,
    }
    if event.name in named:
        return named[event.name]
    if event.name.startswith("major_incident."):
        return WebhookEventType(event.name)
    return WebhookEventType.STATE_CHANGED if event.state_changed else WebhookEventType.UPDATED


def _refused(message: str) -> WebhookError:
    return WebhookError(WebhookErrorCode.URL_NOT_ALLOWED, message, field="url")


def check_target_url(url: str, *, allow_private: bool) -> None:
    """Refuse targets a desk should not call: other schemes, hosts outside the allow-list, and
    names resolving to loopback, link-local or private addresses (unless an admin allowed it).
    Checked again before every attempt, since a name may resolve elsewhere by then."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(WebhookErrorCode.INVALID_URL, "Use an http(s) URL.", field="url")
    if allow_private:
        return
    host = parts.hostname
    allowed = settings.SERVICEDESK_WEBHOOK_ALLOWED_HOSTS
    if allowed and not any(fnmatchcase(host, pattern) for pattern in allowed):
        raise _refused(f"{host} is not on the webhook allow-list.")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443)}
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise _refused(f"{host} does not resolve.") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise _refused(f"{host} resolves to a loopback, link-local or private address.")


def webhook_subscribe(
    owner: Person,
    url: str,
    event_types: list[WebhookEventType],
    *,
    allow_private: bool = False,
    organisation_wide: bool = False,
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret (shown once). Staff only; only an
    administrator may allow private targets or hear of every ticket (organisation-wide)."""
    if not owner.is_staff_member:
        raise WebhookError(WebhookErrorCode.NOT_PERMITTED, "Only service desk staff use webhooks.")
    if organisation_wide and owner.role != Role.ADMIN:
        raise WebhookError(
            WebhookErrorCode.NOT_PERMITTED,
            "Only an administrator can subscribe to every ticket of the organisation.",
            field="organisation_wide",
        )
    if allow_private and owner.role != Role.ADMIN:
        raise WebhookError(
            WebhookErrorCode.NOT_PERMITTED,
            "Only an administrator can allow private targets.",
            field="allow_private",
        )
    if not event_types:
        raise WebhookError(WebhookErrorCode.REQUIRED, "Choose events.", field="event_types")
    check_target_url(url, allow_private=allow_private)
    secret = secrets.token_hex(32)
    subscription = WebhookSubscription.objects.create(
        owner=owner,
        url=url,
        event_types=sorted({str(kind) for kind in event_types}),
        secret=secret,
        allow_private=allow_private,
        organisation_wide=organisation_wide,
    )
    return subscription, secret


def webhook_unsubscribe(subscription: WebhookSubscription, actor: Person) -> None:
    if actor.pk != subscription.owner_id and actor.role != Role.ADMIN:
        raise WebhookError(
            WebhookErrorCode.NOT_PERMITTED, "Only its owner or an administrator can remove it."
        )
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])


def payload_of(event: TicketEvent, event_id: uuid.UUID, kind: WebhookEventType) -> dict[str, Any]:
    ticket = event.ticket
    payload: dict[str, Any] = {
        "id": str(event_id),
        "type": str(kind),
        "action": event.name,
        "at": event.at.isoformat(),
        "actor": event.actor.username if event.actor else None,
        "ticket": {
            "number": ticket.number,
            "kind": ticket.kind,
            "state": ticket.state,
            "version": ticket.version,
            "priority": ticket.priority,
            "short_description": ticket.short_description,
            "assignment_group": ticket.assignment_group_id,
            "assignee": ticket.assignee_id,
        },
        "changes": {name: list(values) for name, values in event.changes.items()},
    }
    if event.comment is not None:
        payload["comment"] = {
            "id": event.comment.pk,
            "body": event.comment.body,
            "internal": event.comment.is_internal,
        }
    if event.data:
        payload["data"] = {key: str(value) for key, value in event.data.items()}
    return payload


def schedule_webhook_delivery() -> None:
    """Enqueue delivery after commit; if that fails the periodic run picks the rows up."""
    from servicedesk.api.tasks import deliver_webhooks

    try:
        deliver_webhooks.enqueue()
    except Exception:
        logger.exception("Could not enqueue webhook delivery; the periodic run will send it")


def _hears_everything(subscription: WebhookSubscription) -> bool:
    return subscription.organisation_wide and subscription.owner.role == Role.ADMIN


def _active_subscriptions() -> list[WebhookSubscription]:
    return list(
        WebhookSubscription.objects.filter(is_active=True, owner__is_active=True).select_related(
            "owner"
        )
    )


def audience_of(event: TicketEvent, kind: WebhookEventType) -> list[WebhookSubscription]:
    """The active subscriptions to this kind whose owner the access policy lets know the
    ticket (and read the comment, for an internal note); a deactivated owner's hear nothing."""
    subscriptions = [
        sub
        for sub in cached("api.webhook_subscriptions", _active_subscriptions)
        if str(kind) in sub.event_types
    ]
    scoped = [sub for sub in subscriptions if not _hears_everything(sub)]
    knowing = {
        person.pk
        for person in who_may_know(
            event.ticket, [sub.owner for sub in scoped], comment=event.comment
        )
    }
    return [sub for sub in subscriptions if _hears_everything(sub) or sub.owner_id in knowing]


def on_ticket_event(event: TicketEvent) -> None:
    kind = event_type_of(event)
    subscriptions = audience_of(event, kind)
    if not subscriptions:
        return
    event_id = uuid.uuid4()
    payload = payload_of(event, event_id, kind)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription=sub, event_id=event_id, event_type=kind, payload=payload)
        for sub in subscriptions
    )
    transaction.on_commit(schedule_webhook_delivery)
