"""Two-factor sign-in required per role: a person of such a role who has no second factor yet
is sent to set one up before anything else (allauth.mfa asks for it at every sign-in after).
A role newly required takes effect at its people's next sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from servicedesk.directory.models import Person, TwoFactorRequirement

SETUP_REQUIRED = "two_factor_setup_required"
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Setting up the factor, signing out and the token-authenticated API stay open.
OPEN_PATHS = ("/accounts/", "/static/", "/api/")


def needs_two_factor_setup(person: Person) -> bool:
    if not TwoFactorRequirement.objects.filter(role=person.role).exists():
        return False
    return not Authenticator.objects.filter(user=person, type__in=SECOND_FACTORS).exists()


def mark_on_sign_in(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    """Decided once per sign-in and kept in the session, so pages pay no query for it."""
    if needs_two_factor_setup(user):
        request.session[SETUP_REQUIRED] = True


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.session.get(SETUP_REQUIRED)
            and request.user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
        ):
            # Asked again only while the flag stands: the first page after the setup clears it.
            if needs_two_factor_setup(request.user):
                # A fragment the page polls for (the nav's counts) gets nothing, not the setup
                # page swapped into the nav.
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=204)
                return redirect("mfa_index")
            del request.session[SETUP_REQUIRED]
        return self.get_response(request)
