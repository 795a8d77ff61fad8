"""Refusals of the workspace's own services (saved views, canned responses)."""

from __future__ import annotations

from enum import StrEnum

from servicedesk.core.errors import DomainError


class WorkspaceErrorCode(StrEnum):
    REQUIRED = "required"
    NAME_TAKEN = "name_taken"
    TOO_MANY = "too_many"
    UNKNOWN_QUEUE = "unknown_queue"
    UNKNOWN_PLACEHOLDER = "unknown_placeholder"
    NOT_PERMITTED = "not_permitted"


class WorkspaceError(DomainError):
    code: WorkspaceErrorCode
