from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from servicedesk.directory.models import Person
from servicedesk.tickets.selectors import assigned_open, queue_counts


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, Person) or not user.is_staff_member:
        raise Http404
    return render(
        request,
        "workspace/home.html",
        {
            "counts": queue_counts(user),
            "groups": list(user.support_groups.all()),
            "my_open": list(assigned_open(user)[:25]),
        },
    )
