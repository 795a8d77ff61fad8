from __future__ import annotations

from enum import StrEnum

from servicedesk.core.errors import DomainError


class ChatErrorCode(StrEnum):
    EMPTY_MESSAGE = "empty_message"
    TOO_LONG = "too_long"
    ENDED = "chat_ended"
    NOT_PERMITTED = "not_permitted"
    ALREADY_TAKEN = "already_taken"
    AT_LIMIT = "at_limit"
    INVALID_FILE = "invalid_file"
    RATE_LIMITED = "rate_limited"
    UNKNOWN_TICKET = "unknown_ticket"


class ChatError(DomainError):
    code: ChatErrorCode
