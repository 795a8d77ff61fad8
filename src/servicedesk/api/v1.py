"""API v1: the NinjaAPI, its authentication, error handlers and routers, served at /api/v1/."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Router
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from servicedesk.api.auth import CountUnauthenticatedCall, SignedInSession, TokenAuth
from servicedesk.api.errors import ApiError, ApiErrorCode, install_error_handlers
from servicedesk.api.routers import (
    catalog,
    chats,
    events,
    knowledge,
    major,
    people,
    status,
    ticket_actions,
    tickets,
    tokens,
    webhooks,
)
from servicedesk.api.throttling import CallerThrottle

DESCRIPTION = """\
The service desk for scripts, integrations and monitoring tools: everything the portal and the
workspace can do, with the same rules and the same scoping (a requester's token sees only what
that requester sees; a ticket you may not see is a 404, exactly like one that does not exist).

**Authentication**: a personal token, `Authorization: Bearer <token>` (create one with
`POST /api/v1/tokens` while signed in, or `servicedesk api_token USERNAME`; revoke it with
`DELETE /api/v1/tokens/{id}`), or the web UI's session (unsafe methods then need the CSRF token,
as in the UI).

**Rate limits**: calls are counted per token (or per signed-in person), and per address for calls
without valid credentials. Over the limit the answer is 429 (`too_many_requests`) with
`Retry-After`, the seconds to wait.

**Errors** always have the shape `{"code", "message", "field"}`; `code` is stable. Unknown
query parameters are a 400 (`unknown_parameter`) rather than being ignored.

**Concurrency**: every ticket carries a `version` (also its `ETag`). A PATCH must send the
version it read, as `If-Match` or `version`; if someone saved in between, the answer is 409
with `current_version`.
"""


View = Callable[..., HttpResponseBase]


def with_json_method_refusal(view: View) -> View:
    """Ninja answers a method a path lacks with a plain-text 405 before any handler runs; give
    it the API's error shape instead (keeping the `Allow` header)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        message = f"{request.method} is not allowed here; allowed: {response.get('Allow', '')}."
        body = {"code": ApiErrorCode.METHOD_NOT_ALLOWED, "message": message, "field": None}
        refusal = JsonResponse(body, status=405)
        refusal["Allow"] = response.get("Allow", "")
        return refusal

    return wrapper


class ServicedeskApi(NinjaAPI):
    _built_schemas: dict[str, OpenAPISchema]

    def __init__(self, **options: Any) -> None:
        self._built_schemas = {}
        super().__init__(**options)

    def set_default_exception_handlers(self) -> None:
        install_error_handlers(self)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = with_json_method_refusal(pattern.callback)
        return patterns

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Built once a process for where the API is mounted: it depends on the code alone, and
        building it took 0.7 s of CPU on every request for the schema or the docs' page."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        built = self._built_schemas.get(path_prefix)
        if built is None:
            built = self._built_schemas[path_prefix] = super().get_openapi_schema(
                path_prefix=path_prefix
            )
        return built

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids for generated clients: the view's own (unique) name.
        return operation.view_func.__name__


api = ServicedeskApi(
    title="Servicedesk API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SignedInSession(), CountUnauthenticatedCall()],
    throttle=[CallerThrottle()],
)
api.add_router("/tickets", tickets.router)
api.add_router("/tickets", ticket_actions.router)
api.add_router("", people.router)
api.add_router("", catalog.router)
api.add_router("", status.router)
api.add_router("", events.router)
api.add_router("", webhooks.router)
api.add_router("", tokens.router)
api.add_router("", knowledge.router)
api.add_router("", major.router)
api.add_router("", chats.router)

# Last, so that it only catches what no route above matched: a JSON 404, not the HTML page.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise ApiError(404, ApiErrorCode.NOT_FOUND, "There is no such API endpoint.")


api.add_router("", fallback)
