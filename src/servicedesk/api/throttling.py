"""API rate limits: per token (or per signed-in person using the UI's session), and per address
for callers who are not authenticated. Refusals are a 429 in the API's error shape with
`Retry-After`; the counting is `core.limits` (shared by every worker and host)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from servicedesk.api.errors import RETRY_AFTER_KEY
from servicedesk.core.limits import RateLimited, client_address, configured, limit_hit
from servicedesk.directory.models import Person

# Where TokenAuth leaves the prefix of the token it accepted (META is typed and per request).
TOKEN_PREFIX_KEY = "servicedesk.api_token_prefix"


def caller_subject(request: HttpRequest) -> tuple[str, str]:
    """(limit name, subject) for the caller: their token, their person, or their address."""
    person = getattr(request, "auth", None)
    if isinstance(person, Person):
        prefix = request.META.get(TOKEN_PREFIX_KEY)
        subject = f"token:{prefix}" if prefix else f"person:{person.pk}"
        return "api.token", subject
    return "api.address", f"address:{client_address(request)}"


def address_limit_hit(request: HttpRequest) -> None:
    """Count a call that brought no valid credentials against its address."""
    limit_hit(configured("api.address"), f"address:{client_address(request)}")


class CallerThrottle(BaseThrottle):
    """Runs after authentication, on every operation of the API."""

    def allow_request(self, request: HttpRequest) -> bool:
        name, subject = caller_subject(request)
        try:
            limit_hit(configured(name), subject)
        except RateLimited as refused:
            request.META[RETRY_AFTER_KEY] = refused.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return None  # replaced: the refusal's own retry time is read back from the request
