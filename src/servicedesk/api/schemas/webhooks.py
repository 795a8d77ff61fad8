"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import Field

from servicedesk.api.models import WebhookDeliveryState
from servicedesk.api.schemas.common import StrictIn, Text
from servicedesk.api.webhooks import WebhookEventType


class WebhookIn(StrictIn):
    url: Annotated[Text, Field(min_length=1, max_length=500)]
    event_types: Annotated[list[WebhookEventType], Field(min_length=1, max_length=10)]
    allow_private: bool = Field(
        False, description="Administrators only: allow loopback, private or unlisted targets."
    )
    organisation_wide: bool = Field(
        False,
        description="Administrators only: every ticket's events. Otherwise a subscription "
        "hears only of tickets its owner may know, and of internal notes only those its owner "
        "may read.",
    )


class WebhookOut(Schema):
    id: int
    url: str
    event_types: list[WebhookEventType]
    allow_private: bool
    organisation_wide: bool
    is_active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown only now.")


class DeliveryOut(Schema):
    id: int
    event_id: UUID
    event_type: str
    state: WebhookDeliveryState
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime
