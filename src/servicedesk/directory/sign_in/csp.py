"""The sign-in page's Content-Security-Policy lets its forms go to the OpenID providers it offers.

A browser checks `form-action` on every redirect a form submission follows, and the provider's
button posts to our own `/accounts/oidc/<id>/login/`, which redirects to the provider: without its
origin in `form-action` the browser stops there. Only the sign-in page widens the policy, and only
by the providers an administrator configured.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse


def provider_origins(request: HttpRequest) -> list[str]:
    origins: list[str] = []
    for app in get_adapter().list_apps(request, provider="openid_connect"):
        parts = urlsplit(str((app.settings or {}).get("server_url", "")))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        if origin and origin not in origins:
            origins.append(origin)
    return origins


class SignInFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path == reverse("account_login") and response.status_code == 200:
            origins = provider_origins(request)
            if origins:
                response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
        return response
