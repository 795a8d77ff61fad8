from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from servicedesk.portal.system_status import current_status
from servicedesk.portal.views.common import signed_in_person
from servicedesk.tickets.draft_selectors import newest_drafts_of
from servicedesk.tickets.selectors import my_newest_tickets
from servicedesk.tickets.workflow import OPEN_STATES

LIST_LIMIT = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = signed_in_person(request)
    tickets = my_newest_tickets(person, LIST_LIMIT)
    return render(
        request,
        "portal/home.html",
        {
            "open_tickets": [t for t in tickets if t.state in OPEN_STATES],
            "other_tickets": [t for t in tickets if t.state not in OPEN_STATES],
            "drafts": newest_drafts_of(person, LIST_LIMIT),
            "status": current_status(),
            "password_reset_url": settings.SERVICEDESK_PASSWORD_RESET_URL
            or reverse("account_change_password"),
        },
    )
