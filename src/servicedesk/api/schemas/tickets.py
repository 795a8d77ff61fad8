"""Tickets as the API shows and accepts them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import (
    AwareDateTime,
    Id,
    PersonRef,
    Ref,
    StrictIn,
    Text,
)
from servicedesk.catalog.choices import FieldKind, Impact, Priority, Severity
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind, TicketState
from servicedesk.tickets.limits import REASON_MAX, SHORT_DESCRIPTION_MAX, TEXT_MAX

ShortText = Annotated[Text, Field(max_length=SHORT_DESCRIPTION_MAX)]
LongText = Annotated[Text, Field(max_length=TEXT_MAX)]
Reason = Annotated[Text, Field(max_length=REASON_MAX)]


class TicketOrdering(StrEnum):
    CREATED = "created_at"
    CREATED_DESC = "-created_at"
    UPDATED = "updated_at"
    UPDATED_DESC = "-updated_at"
    PRIORITY = "priority"
    PRIORITY_DESC = "-priority"
    NUMBER = "number"
    NUMBER_DESC = "-number"


class TicketFilters(Schema):
    kind: TicketKind | None = None
    state: list[TicketState] | None = Field(None, description="Repeat for several states.")
    priority: list[Priority] | None = Field(None, description="Repeat for several.")
    requester: Id | None = None
    assignment_group: Id | None = None
    assignee: Id | None = None
    agency: Id | None = None
    service: Id | None = None
    category: Id | None = None
    text: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Contained in the number, short description or description."
    )
    created_after: AwareDateTime | None = None
    created_before: AwareDateTime | None = None
    breached: bool | None = Field(None, description="Any SLA clock breached (or none).")
    due_after: AwareDateTime | None = Field(None, description="Resolution clock due at or after.")
    due_before: AwareDateTime | None = Field(None, description="Resolution clock due before.")
    ordering: TicketOrdering = TicketOrdering.CREATED_DESC
    cursor: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="`next_cursor` of the previous page; opaque."
    )
    limit: int = Field(25, ge=1, le=100)


class TicketSummaryOut(Schema):
    number: str
    kind: TicketKind
    state: TicketState
    version: int
    short_description: str
    requester: PersonRef
    channel: Channel
    service: Ref | None
    priority: str = Field(description="p1…p4, or empty before triage.")
    assignment_group: Ref | None
    assignee: PersonRef | None
    created_at: datetime
    updated_at: datetime


class AnswerOut(Schema):
    key: str
    label: str
    kind: str
    text: str = Field(description="The answer as read.")
    value: str | bool | list[str] | int | None = Field(
        description="Typed: a date (YYYY-MM-DD), true/false, the options chosen, a person's id."
    )

    @staticmethod
    def resolve_value(obj: Any) -> str | bool | list[str] | int | None:
        if obj.date is not None:
            return str(obj.date.isoformat())
        if obj.flag is not None:
            return bool(obj.flag)
        if obj.person_id is not None:
            return int(obj.person_id)
        if obj.kind == FieldKind.MULTIPLE_CHOICE:
            return list(obj.options)
        return str(obj.text)


class TicketOut(TicketSummaryOut):
    description: str
    requested_by: PersonRef
    affected_people: list[PersonRef]
    agency: Ref | None
    location: Ref | None
    category: Ref | None
    priority_code: Ref | None
    request_type: Ref | None
    answers: list[AnswerOut]
    impact: str
    severity: str
    priority_override_reason: str
    resolution_note: str
    resolved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_affected_people(obj: Any) -> list[Any]:
        return list(obj.affected_people.all())

    @staticmethod
    def resolve_answers(obj: Any) -> list[Any]:
        return list(obj.answers.all())


class TicketPage(Schema):
    items: list[TicketSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class TicketCreateIn(StrictIn):
    kind: Literal[TicketKind.INCIDENT, TicketKind.REQUEST]
    short_description: ShortText
    description: LongText = ""
    requester: Id | None = Field(
        None,
        description="File on someone's behalf: staff for anyone, employees for colleagues of "
        "their own agency.",
    )
    affected_people: Annotated[list[Id], Field(max_length=100)] = []
    agency: Id | None = None
    location: Id | None = None
    service: Id | None = None
    category: Id | None = None
    priority_code: Id | None = None
    request_type: Id | None = None
    answers: Annotated[dict[str, str | list[str]], Field(max_length=100)] = Field(
        default_factory=dict,
        description="Answers to the request type's form, by question key: text, an option, "
        "several options (a list), a date (YYYY-MM-DD), a person's id, or yes/no.",
    )
    impact: Impact | None = Field(None, description="Staff only.")
    severity: Severity | None = Field(None, description="Staff only.")
    priority: Priority | None = Field(
        None,
        description="Staff only; needs a reason if it differs from the impact × severity matrix.",
    )
    priority_override_reason: Reason = ""
    assignment_group: Id | None = Field(None, description="Staff only.")
    assignee: Id | None = Field(None, description="Staff only.")


class TicketPatchIn(StrictIn):
    """Only the fields sent change. Requesters may change the descriptions only."""

    version: int | None = Field(None, description="The version read; or send `If-Match`.")
    short_description: ShortText | None = None
    description: LongText | None = None
    requester: Id | None = None
    agency: Id | None = None
    location: Id | None = None
    service: Id | None = None
    category: Id | None = None
    priority_code: Id | None = None
    request_type: Id | None = None
    impact: Impact | None = None
    severity: Severity | None = None
    priority: Priority | None = None
    priority_override_reason: Reason | None = None


APPROVAL_HELP = (
    "A supervisor's reason (the service lead or the group's lead) for scheduled work going "
    "ahead of overdue work in its group; refused with approval_required without one."
)


class TransitionIn(StrictIn):
    to: TicketState
    note: LongText = ""
    help_desk: Id | None = Field(None, description="The other help desk, when redirecting.")
    force_reason: Reason = Field("", description="A lead's reason to close with open tasks.")
    approval_reason: Reason = Field("", description=APPROVAL_HELP)
    version: int | None = Field(None, description="Optional: the version read.")


class ConvertibleKind(StrEnum):
    """The kinds a ticket converts between (an incident and a service request, both ways)."""

    INCIDENT = TicketKind.INCIDENT.value
    REQUEST = TicketKind.REQUEST.value


class ConvertIn(StrictIn):
    kind: ConvertibleKind = Field(description="The kind the ticket becomes.")
    reason: Reason = Field("", description="Why (kept in the ticket's history).")
    version: int | None = Field(None, description="Optional: the version read.")


class AssignIn(StrictIn):
    group: Id | None = None
    assignee: Id | None = None
    approval_reason: Reason = Field("", description=APPROVAL_HELP)
    version: int | None = Field(None, description="Optional: the version read.")


class CommentIn(StrictIn):
    body: LongText
    internal: bool = Field(False, description="An internal note: staff only.")


class CommentOut(Schema):
    id: int
    author: PersonRef
    body: str
    internal: bool
    channel: Channel
    created_at: datetime

    @staticmethod
    def resolve_internal(obj: Any) -> bool:
        return bool(obj.is_internal)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_by: PersonRef
    uploaded_at: datetime

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.original_name)


class LinkIn(StrictIn):
    target: Annotated[Text, Field(max_length=16)] = Field(description="A ticket number.")
    kind: LinkKind


class LinkOut(Schema):
    source: str
    target: str
    kind: LinkKind
    created_at: datetime

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return str(obj.source.number)

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return str(obj.target.number)
