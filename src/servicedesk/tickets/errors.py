from __future__ import annotations

from enum import StrEnum

from servicedesk.core.errors import DomainError


class TicketErrorCode(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    STALE_VERSION = "stale_version"
    NOTE_REQUIRED = "note_required"
    OVERRIDE_REASON_REQUIRED = "override_reason_required"
    ASSIGNEE_NOT_IN_GROUP = "assignee_not_in_group"
    ASSIGNEE_NOT_STAFF = "assignee_not_staff"
    HELP_DESK_REQUIRED = "help_desk_required"
    OPEN_TASKS = "open_tasks"
    FORCE_NOT_ALLOWED = "force_not_allowed"
    LINK_TO_SELF = "link_to_self"
    LINK_EXISTS = "link_exists"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_VALUE = "invalid_value"
    EMPTY_COMMENT = "empty_comment"
    REQUIRED = "required"
    NOT_PERMITTED = "not_permitted"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_FORBIDDEN_TYPE = "attachment_forbidden_type"
    TOO_LONG = "too_long"
    CODE_NOT_IN_CATEGORY = "code_not_in_category"
    APPROVAL_REQUIRED = "approval_required"


class TicketError(DomainError):
    code: TicketErrorCode


class StaleTicketError(TicketError):
    """The change was based on an older version; someone else saved in between."""

    def __init__(self, current_version: int, expected_version: int) -> None:
        super().__init__(
            TicketErrorCode.STALE_VERSION,
            f"This ticket was changed by someone else (you edited version {expected_version}, "
            f"it is now at version {current_version}). Reload it to see their change.",
        )
        self.current_version = current_version
