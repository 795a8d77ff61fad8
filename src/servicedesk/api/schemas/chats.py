"""Live chats as the API shows them: the session and its transcript (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import Text
from servicedesk.chat.choices import ChatEventKind, ChatState

Cursor = Annotated[str, Field(max_length=500)]


class ChatFilters(Schema):
    q: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Text that must appear in one of the chat's messages."
    )
    cursor: Cursor | None = Field(None, description="`next_cursor` of the previous page; opaque.")
    limit: int = Field(25, ge=1, le=100)


class ChatSummaryOut(Schema):
    id: int
    state: ChatState
    requester: str
    agent: str | None
    ticket: str | None = Field(description="The ticket the chat is part of, by number.")
    topic: str
    created_at: datetime
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    requester_left_at: datetime | None
    ended_at: datetime | None


class ChatLineOut(Schema):
    id: int = Field(description="Increasing; the live stream's event id.")
    kind: ChatEventKind
    author: str | None
    body: str = Field(description="Plain text.")
    file_name: str
    created_at: datetime


class ChatOut(ChatSummaryOut):
    transcript: list[ChatLineOut]


class ChatPage(Schema):
    items: list[ChatSummaryOut]
    next_cursor: str | None
