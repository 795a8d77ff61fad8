"""Personal API tokens as their owners see them: never the secret, except once at creation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import StrictIn, Text


class TokenIn(StrictIn):
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    expires_at: datetime | None = Field(None, description="Optional; must be in the future.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret, shown only now: `Authorization: Bearer <token>`.")
