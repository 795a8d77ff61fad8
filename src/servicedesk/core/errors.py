"""The base of every domain error: a stable code, a sentence for a person, the field at fault."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """A rule of the business refused a change; nothing was written."""

    def __init__(self, code: StrEnum, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": str(self.code), "message": self.message, "field": self.field}
