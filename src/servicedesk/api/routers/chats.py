"""`/chats`: live chats and their transcripts, read-only, scoped by the access policy (an
employee's own chats; staff as for tickets of the chat's agency)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, NOT_FOUND_MESSAGE, ApiError, ApiErrorCode
from servicedesk.api.paging import keyset_page
from servicedesk.api.params import allowed_names, reject_unknown_parameters
from servicedesk.api.schemas.chats import ChatFilters, ChatOut, ChatPage
from servicedesk.api.schemas.common import Id
from servicedesk.chat.models import ChatSession
from servicedesk.chat.selectors import chat_for, chats_search

router = Router(tags=["chats"])


def _summary(chat: ChatSession) -> dict[str, Any]:
    return {
        "id": chat.pk,
        "state": chat.state,
        "requester": str(chat.requester),
        "agent": str(chat.agent) if chat.agent else None,
        "ticket": chat.ticket.number if chat.ticket else None,
        "topic": chat.topic,
        "created_at": chat.created_at,
        "first_response_due_at": chat.first_response_due_at,
        "first_response_at": chat.first_response_at,
        "requester_left_at": chat.requester_left_at,
        "ended_at": chat.ended_at,
    }


@router.get("/chats", response={200: ChatPage, **ERRORS})
def chat_list(request: HttpRequest, filters: Query[ChatFilters]) -> dict[str, Any]:
    """Newest first; `q` keeps the chats whose transcript contains the text."""
    reject_unknown_parameters(request, allowed_names(ChatFilters))
    chats = chats_search(caller(request), filters.q or "")
    items, next_cursor = keyset_page(
        chats, ordering="-created_at", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_summary(chat) for chat in items], "next_cursor": next_cursor}


@router.get("/chats/{chat_id}", response={200: ChatOut, **ERRORS})
def chat_detail(request: HttpRequest, chat_id: Id) -> dict[str, Any]:
    try:
        chat = chat_for(caller(request), chat_id)
    except ChatSession.DoesNotExist as missing:
        raise ApiError(404, ApiErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE) from missing
    lines = chat.events.select_related("author").order_by("id")
    transcript = [
        {
            "id": line.pk,
            "kind": line.kind,
            "author": str(line.author) if line.author else None,
            "body": line.body,
            "file_name": line.file_name,
            "created_at": line.created_at,
        }
        for line in lines
    ]
    return {**_summary(chat), "transcript": transcript}
