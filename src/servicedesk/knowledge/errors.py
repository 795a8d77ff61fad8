from __future__ import annotations

from enum import StrEnum

from servicedesk.core.errors import DomainError


class KnowledgeErrorCode(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    INVALID_VALUE = "invalid_value"
    NOT_PERMITTED = "not_permitted"
    ILLEGAL_TRANSITION = "illegal_transition"
    STALE_VERSION = "stale_version"
    NOT_PUBLISHED = "not_published"


class KnowledgeError(DomainError):
    code: KnowledgeErrorCode


class StaleKnowledgeError(KnowledgeError):
    """The edit was based on an older version: someone else saved in between."""

    def __init__(self, what: str, current_version: int, expected_version: int) -> None:
        super().__init__(
            KnowledgeErrorCode.STALE_VERSION,
            f"This {what} was changed by someone else (you edited version {expected_version}, "
            f"it is now at version {current_version}). Their text is shown; yours is kept.",
        )
        self.current_version = current_version
