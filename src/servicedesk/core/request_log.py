"""Every request gets an id and one access-log line; every response names the id.

The id comes from the proxy's `X-Request-ID` when it sent a sane one (so one id follows a request
from the proxy's log to ours), otherwise it is made here. It is bound for the request's duration,
so every log line written while serving it carries it (see `config.logs`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

access_log = logging.getLogger("servicedesk.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

Handler = Callable[[HttpRequest], HttpResponseBase]


def request_id_of(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_of(request)
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            response = self.get_response(request)
            milliseconds = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                '%s "%s %s" %s %sms',
                request.META.get("REMOTE_ADDR", "-"),
                request.method,
                request.get_full_path(),
                response.status_code,
                milliseconds,
                extra={
                    "remote_addr": request.META.get("REMOTE_ADDR", ""),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": milliseconds,
                },
            )
        response[REQUEST_ID_HEADER] = request_id
        return response


class PermissionsPolicyMiddleware:
    """Refuses browser features no page uses (camera, microphone, location…) to every script."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.SERVICEDESK_PERMISSIONS_POLICY)
        return response
