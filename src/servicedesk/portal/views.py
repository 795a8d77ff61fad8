from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from servicedesk.directory.models import Person
from servicedesk.tickets.selectors import my_tickets
from servicedesk.tickets.workflow import OPEN_STATES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Person)
    tickets = list(my_tickets(request.user)[:50])
    return render(
        request,
        "portal/home.html",
        {
            "open_tickets": [t for t in tickets if t.state in OPEN_STATES],
            "other_tickets": [t for t in tickets if t.state not in OPEN_STATES],
            "password_reset_url": settings.SERVICEDESK_PASSWORD_RESET_URL,
        },
    )
