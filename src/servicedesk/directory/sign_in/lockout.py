"""The lockout after wrong passwords (django-axes): per account and per address, for a
configured time, and a sign-in page that says when to try again."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from allauth.account.forms import LoginForm
from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from servicedesk.directory.models import Person


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses every sign-in of a locked account or address before any password is checked.

    Sign-ins without a request (the test client's `login`, a shell) have no address to count
    and are not limited; every sign-in page passes its request."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Person | None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in tried: the sign-in page posts `login`, the admin's `username`."""
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    value = request.POST.get("login") or request.POST.get("username")
    return value or None


def lockout_ends_at(request: HttpRequest, username: str | None) -> datetime:
    cool_off = get_cool_off(request) or timedelta(0)
    address = getattr(request, "axes_ip_address", None)
    matching = Q(ip_address=address) if address else Q(pk__in=[])
    if username:
        matching |= Q(username=username)
    last = AccessAttempt.objects.filter(matching).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    username = attempted_username(request, credentials)
    form = LoginForm(request=request, initial={"login": username or ""})
    ends_at = lockout_ends_at(request, username)
    minutes_left = max(1, math.ceil((ends_at - timezone.now()).total_seconds() / 60))
    context = {"form": form, "lockout_ends_at": ends_at, "lockout_minutes_left": minutes_left}
    return render(request, "account/login.html", context, status=429)
