"""Who is calling: a personal token (`Authorization: Bearer …`) or the UI's signed-in session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from servicedesk.api.services import token_authenticate
from servicedesk.api.throttling import TOKEN_PREFIX_KEY, address_limit_hit
from servicedesk.directory.models import Person


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        person = token_authenticate(token)
        if person is not None:
            # The rate limit counts per token, so that one person's scripts don't starve another.
            request.META[TOKEN_PREFIX_KEY] = token.strip().split("_", 2)[1]
        return person


class SignedInSession(SessionAuth):
    """Ninja's session auth, with its CSRF check for unsafe methods, but only once there is a
    signed-in user: a caller with no credentials at all gets 401, not a CSRF 403."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)


class CountUnauthenticatedCall:
    """Last in the list: reached only when no credentials were valid. It never authenticates;
    it counts the call against the caller's address, so guessing tokens is rate limited."""

    def __call__(self, request: HttpRequest) -> None:
        address_limit_hit(request)


def caller(request: HttpRequest) -> Person:
    """The authenticated person; every operation of the API requires one."""
    person = getattr(request, "auth", None)
    if not isinstance(person, Person):
        raise TypeError("operation reached without an authenticated person")
    return person
