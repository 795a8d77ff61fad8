"""The system status, read-only: entries in force per service and planned maintenance."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import Ref
from servicedesk.outages.choices import StatusKind, UpdateStage


class StatusUpdateOut(Schema):
    stage: UpdateStage
    message: str
    at: datetime


class StatusEntryOut(Schema):
    id: int
    service: Ref
    kind: StatusKind
    title: str
    message: str
    starts_at: datetime
    ends_at: datetime | None = Field(
        description="Planned end of maintenance, or the expected restore time of an outage."
    )
    resolved_at: datetime | None
    incident: str | None = Field(
        description="Number of the incident the desk works this under, if any."
    )
    updates: list[StatusUpdateOut] = Field(description="Public updates, newest first.")

    @staticmethod
    def resolve_incident(obj: Any) -> str | None:
        return obj.incident.number if obj.incident_id else None

    @staticmethod
    def resolve_updates(obj: Any) -> list[Any]:
        return list(obj.updates.all())


class ServiceStatusOut(Schema):
    service: Ref
    entries: list[StatusEntryOut] = Field(description="In force now, worst first.")


class SystemStatusOut(Schema):
    level: Literal["normal", "degraded", "outage"] = Field(
        description="The worst entry in force; maintenance in progress counts as degraded."
    )
    current: list[ServiceStatusOut]
    upcoming_maintenance: list[StatusEntryOut] = Field(description="Starting within 30 days.")
