"""Nothing the application renders is kept by a browser's or a proxy's cache.

Ticket pages, API answers, attachments and notifications show what only their viewer may know
(`tickets.access`); a shared computer's back button or a caching proxy must not show it to the
next person. Static files are served before this (by WhiteNoise) and keep their long caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

Handler = Callable[[HttpRequest], HttpResponseBase]


class NoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SynchronousChainMiddleware:
    """Innermost (last in `MIDDLEWARE`), synchronous only, doing nothing itself: under ASGI
    Django then runs every middleware outside it synchronously, in the one thread the views run
    in. Without it, Django's middlewares able to run either way ran asynchronously, each of
    their hooks moved into that thread and back, some ten crossings a request at 0.35 ms of CPU
    each (asgiref copies the request's context variables at every crossing)."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)
