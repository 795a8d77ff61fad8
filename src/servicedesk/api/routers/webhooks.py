"""`/webhooks`: subscribe to ticket events (staff), list them, remove them, read the log."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, WRITE_ERRORS
from servicedesk.api.models import WebhookDelivery, WebhookSubscription
from servicedesk.api.schemas.common import Id
from servicedesk.api.schemas.webhooks import DeliveryOut, WebhookCreatedOut, WebhookIn, WebhookOut
from servicedesk.api.webhooks import webhook_subscribe, webhook_unsubscribe
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person

router = Router(tags=["webhooks"])


def visible_subscriptions(viewer: Person) -> QuerySet[WebhookSubscription]:
    """One's own subscriptions; an administrator sees everyone's."""
    subscriptions = WebhookSubscription.objects.filter(is_active=True)
    return subscriptions if viewer.role == Role.ADMIN else subscriptions.filter(owner=viewer)


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def webhook_list(request: HttpRequest) -> QuerySet[WebhookSubscription]:
    return visible_subscriptions(caller(request))


@router.post("/webhooks", response={201: WebhookCreatedOut, **WRITE_ERRORS})
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status[Any]:
    """Deliveries are POSTed as JSON, signed in `X-Servicedesk-Signature`
    (`t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`), and retried with backoff."""
    subscription, secret = webhook_subscribe(
        caller(request),
        payload.url,
        payload.event_types,
        allow_private=payload.allow_private,
        organisation_wide=payload.organisation_wide,
    )
    return Status(201, {**WebhookOut.from_orm(subscription).model_dump(), "secret": secret})


@router.delete("/webhooks/{webhook_id}", response={204: None, **WRITE_ERRORS})
def webhook_delete(request: HttpRequest, webhook_id: Id) -> Status[None]:
    viewer = caller(request)
    webhook_unsubscribe(visible_subscriptions(viewer).get(pk=webhook_id), viewer)
    return Status(204, None)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS})
def webhook_deliveries(request: HttpRequest, webhook_id: Id) -> list[WebhookDelivery]:
    """The latest 100 deliveries, newest first."""
    subscription = visible_subscriptions(caller(request)).get(pk=webhook_id)
    return list(subscription.deliveries.all()[:100])
