from __future__ import annotations

from enum import StrEnum

from servicedesk.core.errors import DomainError


class StatusErrorCode(StrEnum):
    REQUIRED = "required"
    NOT_PERMITTED = "not_permitted"
    INVALID_KIND = "invalid_kind"
    END_BEFORE_START = "end_before_start"
    ENDS_IN_THE_PAST = "ends_in_the_past"
    STARTS_IN_THE_FUTURE = "starts_in_the_future"
    NOT_AN_INCIDENT = "not_an_incident"
    ALREADY_RESOLVED = "already_resolved"


class StatusError(DomainError):
    """A status entry change was refused; nothing was written."""

    code: StatusErrorCode
