from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each person's first page: the workspace for staff, the portal for employees."""
    user = request.user
    if getattr(user, "is_staff_member", False):
        return redirect("workspace:home")
    return redirect("portal:home")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """A bare endpoint: liveness for operators, and the baseline every benchmark compares with."""
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "Not found", "message": "There is nothing here, or it is not yours to see."},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": "Something went wrong",
            "message": "The error has been logged. Please try again in a moment.",
        },
        status=500,
    )


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Sign-in's own limits (password-reset mails, say) answer with this page."""
    resetting = request.path == reverse("account_reset_password")
    return render(
        request,
        "core/error.html",
        {
            "title": _("Too many requests"),
            "message": _(
                "You asked for password reset mails too often. The mail already sent still "
                "works; if none arrives, ask again later."
            )
            if resetting
            else _("You asked too often in a short time. Wait a few minutes and try again."),
        },
        status=429,
    )
