"""Building blocks of the API's request and response bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

MAX_ID = 2**63 - 1


def _storable_text(value: str) -> str:
    """Refuse what no database column can hold: NUL characters and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text") from error
    return value


def _aware(value: datetime) -> datetime:
    """A time without a zone is read as UTC, the zone every time is stored in; one with a zone
    is turned into UTC (PostgreSQL refuses offsets beyond ±15:59, which Python allows)."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("is out of the range of dates the desk can store") from error


Text = Annotated[str, AfterValidator(_storable_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
AwareDateTime = Annotated[datetime, AfterValidator(_aware)]


class StrictIn(Schema):
    """Request bodies refuse fields they don't know, so a misspelt or forbidden field (a
    requester's `state`, `priority`, ...) is an error rather than silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Ref(Schema):
    """Another object, by id and name, e.g. a service or a support group."""

    id: int
    name: str


class PersonRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)
