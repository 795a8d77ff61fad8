"""Major incidents, their scope and communications; who is on call; the phone greeting."""

from __future__ import annotations

from datetime import datetime, time

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import Ref
from servicedesk.outages.choices import CommunicationKind, DeclaredFrom, UpdateStage


class DeclareIn(Schema):
    ticket: str | None = Field(
        None, description="The incident to declare major (its number); or give `alert`."
    )
    alert: int | None = Field(
        None, description="A monitoring alert's id: its incident is declared major."
    )
    public_message: str = Field(
        "", description="Posted as an outage on the status page (required)."
    )
    children: list[str] = Field(default_factory=list, description="Reports to attach at once.")


class AttachIn(Schema):
    tickets: list[str] = Field(description="Numbers of the open incidents to attach.")


class UpdateIn(Schema):
    stage: str = Field(description="investigating, identified or monitoring.")
    message: str
    audiences: list[str] = Field(
        description="status_page, greeting, partners, contacts, affected, team."
    )
    partner_lists: list[int] = Field(
        default_factory=list, description="Distribution lists; none: the communication plan's."
    )
    internal: bool = Field(False, description="An internal note: the incident team only.")


class CorrectIn(Schema):
    message: str = ""
    withdraw: bool = False


class ResolveIn(Schema):
    message: str
    audiences: list[str] = Field(
        default_factory=lambda: ["status_page"],
        description="Besides everyone affected, who always gets one resolution message.",
    )
    partner_lists: list[int] = Field(default_factory=list)


class TallyOut(Schema):
    label: str
    count: int


class ScopeOut(Schema):
    tickets: int
    by_channel: list[TallyOut]
    by_agency: list[TallyOut]
    people: int
    all_users: bool
    agencies: list[str]
    related_services: list[Ref]


class SendOut(Schema):
    audience: str
    recipient_count: int


class CommunicationOut(Schema):
    id: int
    kind: CommunicationKind
    stage: UpdateStage
    message: str
    internal: bool = Field(alias="is_internal")
    audiences: list[str]
    corrects: int | None = Field(alias="corrects_id")
    at: datetime
    sends: list[SendOut]


class MajorIncidentOut(Schema):
    id: int
    ticket: str
    title: str
    service: Ref | None
    declared_from: DeclaredFrom
    declared_at: datetime
    declared_by: str
    resolved_at: datetime | None
    status_entry: int | None
    children: list[str]
    scope: ScopeOut
    communications: list[CommunicationOut]


class OnCallOut(Schema):
    group: Ref
    person: str | None
    phone: str
    until: datetime | None
    is_override: bool
    meeting_time: time | None


class GreetingOut(Schema):
    text: str
    published_at: datetime | None
