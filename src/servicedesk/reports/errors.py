from __future__ import annotations

from enum import StrEnum

from servicedesk.core.errors import DomainError


class ReportErrorCode(StrEnum):
    NOT_PERMITTED = "not_permitted"
    NO_RECIPIENTS = "no_recipients"
    INVALID = "invalid"


class ReportError(DomainError):
    """A report change was refused; nothing was written or sent."""

    code: ReportErrorCode
