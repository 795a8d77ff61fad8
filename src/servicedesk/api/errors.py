"""One JSON shape for every error the API returns: `{"code", "message", "field"}`.

Domain refusals keep their own code (`TicketErrorCode`, ...); the API adds its own codes for
what happens before a service is reached. No handler ever puts a traceback in a body.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from servicedesk.api.services import TokenErrorCode
from servicedesk.api.webhooks import WebhookErrorCode
from servicedesk.core.errors import DomainError
from servicedesk.core.limits import RateLimited
from servicedesk.outages.errors import MajorIncidentErrorCode
from servicedesk.tickets.errors import StaleTicketError, TicketErrorCode

logger = logging.getLogger("servicedesk.api")


class ApiErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNKNOWN_PARAMETER = "unknown_parameter"
    INVALID_VALUE = "invalid_value"
    INVALID_CURSOR = "invalid_cursor"
    VERSION_REQUIRED = "version_required"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    TOO_MANY_REQUESTS = "too_many_requests"
    SERVER_ERROR = "server_error"


class ErrorOut(Schema):
    """Every error body. `code` is stable and meant for programs; `message` is for people."""

    code: (
        ApiErrorCode | TicketErrorCode | TokenErrorCode | WebhookErrorCode | MajorIncidentErrorCode
    )
    message: str
    field: str | None = None


class StaleErrorOut(ErrorOut):
    current_version: int


class ApiError(Exception):
    """Raised by routers for refusals that happen before any service is called."""

    def __init__(
        self, status: int, code: ApiErrorCode, message: str, *, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


# A domain refusal is a 422 (the request was understood but breaks a rule) unless listed here.
DOMAIN_STATUS: dict[str, int] = {
    TicketErrorCode.STALE_VERSION: 409,
    TicketErrorCode.ILLEGAL_TRANSITION: 409,
    TicketErrorCode.OPEN_TASKS: 409,
    TicketErrorCode.LINK_EXISTS: 409,
    TicketErrorCode.NOT_PERMITTED: 403,
    TicketErrorCode.FORCE_NOT_ALLOWED: 403,
    TicketErrorCode.APPROVAL_REQUIRED: 403,
    TicketErrorCode.ATTACHMENT_TOO_LARGE: 413,
    TokenErrorCode.NOT_PERMITTED: 403,
    WebhookErrorCode.NOT_PERMITTED: 403,
    MajorIncidentErrorCode.NOT_PERMITTED: 403,
    MajorIncidentErrorCode.TICKET_NOT_OPEN: 409,
    MajorIncidentErrorCode.ALREADY_MAJOR: 409,
    MajorIncidentErrorCode.ALREADY_RESOLVED: 409,
}

# Common error responses, for the OpenAPI document of every operation.
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: StaleErrorOut}


def _body(code: str, message: str, field: str | None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, **extra}


def _field_of(location: Sequence[Any]) -> str | None:
    """`("body", "payload", "short_description")` → `short_description`."""
    parts = [str(part) for part in location]
    # Only the first part names where the value came from: a field may be called `body`.
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    # Ninja names the whole body after the view's parameter; drop it when a field follows.
    if len(parts) > 1 and parts[0] in ("payload", "filters", "data"):
        parts = parts[1:]
    return ".".join(parts) or None


NOT_FOUND_MESSAGE = "There is nothing here, or it is not yours to see."


def _validation_body(exc: ValidationError) -> dict[str, Any]:
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first.get("loc", ()))
    message = str(first.get("msg", "Invalid value."))
    context = first.get("ctx") or {}
    if first.get("type") == "too_long" and context.get("field_type") in ("String", "Value"):
        # Text checked after our validators is a "Value" to pydantic: say what it is.
        message = f"Keep it to {context['max_length']:,} characters."
    return _body(ApiErrorCode.INVALID_VALUE, f"{field}: {message}" if field else message, field)


def _http_error_code(status: int) -> ApiErrorCode:
    return {
        401: ApiErrorCode.NOT_AUTHENTICATED,
        403: ApiErrorCode.PERMISSION_DENIED,
        404: ApiErrorCode.NOT_FOUND,
        429: ApiErrorCode.TOO_MANY_REQUESTS,
    }.get(status, ApiErrorCode.BAD_REQUEST)


# Where the API's throttle leaves the refusal's retry time (ninja's throttles return a bool).
RETRY_AFTER_KEY = "servicedesk.retry_after"


def _too_many(retry_after: int) -> dict[str, Any]:
    message = f"Too many requests. Try again in {retry_after} seconds."
    return _body(ApiErrorCode.TOO_MANY_REQUESTS, message, None)


def retry_after_of(request: HttpRequest, exc: Exception) -> int | None:
    if isinstance(exc, RateLimited):
        return exc.retry_after
    if isinstance(exc, Throttled):
        value = request.META.get(RETRY_AFTER_KEY)
        return int(value) if value is not None else None
    return None


def error_response_parts(
    exc: Exception, *, retry_after: int | None = None
) -> tuple[int, dict[str, Any]]:
    """(status, body) for any exception an operation raised."""
    if retry_after is not None:
        return 429, _too_many(retry_after)
    if isinstance(exc, ApiError):
        return exc.status, _body(exc.code, exc.message, exc.field)
    if isinstance(exc, DomainError):
        body = _body(str(exc.code), exc.message, exc.field)
        if isinstance(exc, StaleTicketError):
            body["current_version"] = exc.current_version
        return DOMAIN_STATUS.get(str(exc.code), 422), body
    if isinstance(exc, ValidationError):
        return 422, _validation_body(exc)
    if isinstance(exc, AuthenticationError):
        message = "Send a personal API token as 'Authorization: Bearer <token>', or sign in."
        return 401, _body(ApiErrorCode.NOT_AUTHENTICATED, message, None)
    if isinstance(exc, HttpError):
        return exc.status_code, _body(_http_error_code(exc.status_code), exc.message, None)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        # Missing and not-yours-to-see look the same, so that numbers cannot be probed.
        return 404, _body(ApiErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE, None)
    message = "Something went wrong on our side; it has been logged."
    return 500, _body(ApiErrorCode.SERVER_ERROR, message, None)


def install_error_handlers(api: NinjaAPI) -> None:
    """One handler for every exception, instead of ninja's defaults (which differ in shape
    and re-raise unexpected errors to Django's HTML page)."""

    def on_exception(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        error = exc if isinstance(exc, Exception) else exc()
        retry_after = retry_after_of(request, error)
        status, body = error_response_parts(error, retry_after=retry_after)
        if status == 500:
            logger.error("API error on %s %s", request.method, request.path, exc_info=error)
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = "Bearer"
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    api.add_exception_handler(Exception, on_exception)
