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


class MajorIncidentErrorCode(StrEnum):
    REQUIRED = "required"
    NOT_PERMITTED = "not_permitted"
    NOT_AN_INCIDENT = "not_an_incident"
    TICKET_NOT_OPEN = "ticket_not_open"
    ALREADY_MAJOR = "already_major"
    ALREADY_ATTACHED = "already_attached"
    NOT_VISIBLE = "not_visible"
    NO_SERVICE = "no_service"
    ALREADY_RESOLVED = "already_resolved"
    UNKNOWN_AUDIENCE = "unknown_audience"
    INTERNAL_TO_EXTERNAL = "internal_to_external"
    NOT_CORRECTABLE = "not_correctable"


class MajorIncidentError(DomainError):
    """A major-incident change was refused; nothing was written."""

    code: MajorIncidentErrorCode
