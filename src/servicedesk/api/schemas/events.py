"""Monitoring events, as a monitoring tool posts them."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import Field

from servicedesk.api.monitoring import EventOutcome, EventState
from servicedesk.api.schemas.common import StrictIn, Text


class EventIn(StrictIn):
    source: Annotated[Text, Field(min_length=1, max_length=100)] = Field(
        description="The tool, e.g. `zabbix`."
    )
    resource: Annotated[Text, Field(min_length=1, max_length=200)] = Field(
        description="What is monitored, e.g. a host name."
    )
    check: Annotated[Text, Field(min_length=1, max_length=200)] = Field(
        description="The check, e.g. `disk /var`."
    )
    state: EventState
    message: Annotated[Text, Field(max_length=10_000)] = ""
    dedupe_key: Annotated[Text, Field(max_length=255)] = Field(
        "", description="Events with the same key are one alert; default source|resource|check."
    )


class EventOut(Schema):
    outcome: EventOutcome
    dedupe_key: str
    ticket: str | None = Field(description="The incident's number.")
    occurrences: int
