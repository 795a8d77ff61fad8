from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from servicedesk.core.metrics import DeskCollector, may_read_metrics
from servicedesk.core.readiness import readiness


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


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database answers and background work is picked up, else 503."""
    checks = readiness()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "failing": [check.name for check in checks if not check.ok],
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for the addresses or token docs/deploy.md describes."""
    if not may_read_metrics(request):
        return HttpResponse(
            "Metrics are for the monitoring system only.\n", status=403, content_type="text/plain"
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(REGISTRY)
    registry.register(DeskCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


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
