"""Who is calling: a personal token (`Authorization: Bearer …`) or the UI's signed-in session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from servicedesk.api.services import token_authenticate
from servicedesk.directory.models import Person


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        return token_authenticate(token)


class SignedInSession(SessionAuth):
    """Ninja's session auth, with its CSRF check for unsafe methods, but only once there is a
    signed-in user: a caller with no credentials at all gets 401, not a CSRF 403."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)


def caller(request: HttpRequest) -> Person:
    """The authenticated person; every operation of the API requires one."""
    person = getattr(request, "auth", None)
    if not isinstance(person, Person):
        raise TypeError("operation reached without an authenticated person")
    return person
