"""Bulk actions from a queue page; the service reports what happened to each ticket."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.limits import REASON_MAX
from servicedesk.tickets.services import BulkAction, tickets_bulk
from servicedesk.workspace.views.common import staff_person


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    post = request.POST
    back = post.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/workspace/"
    try:
        action = BulkAction(post.get("action", ""))
    except ValueError:
        messages.error(request, "Choose what to do with the tickets.")
        return redirect(back)
    group_id, assignee_id, state = (
        post.get("group", ""),
        post.get("assignee", ""),
        post.get("to", ""),
    )
    if action == BulkAction.STATE and state not in TicketState.values:
        messages.error(request, "Choose the new state.")
        return redirect(back)
    try:
        result = tickets_bulk(
            post.getlist("numbers"),
            actor=person,
            action=action,
            group=SupportGroup.objects.filter(pk=group_id).first() if group_id.isdigit() else None,
            assignee=Person.objects.filter(pk=assignee_id).first()
            if assignee_id.isdigit()
            else None,
            to=TicketState(state) if state else None,
            note=post.get("note", ""),
            parent_number=post.get("parent", ""),
            approval_reason=post.get("approval_reason", "")[:REASON_MAX],
        )
    except TicketError as refused:
        # Only a parent that cannot be found refuses the whole batch: nothing was changed.
        messages.error(request, refused.message)
        return redirect(back)
    messages.info(request, f"Bulk {action.value}: {result.summary}.")
    for number, why in result.refused:
        messages.warning(request, f"{number}: {why}")
    if result.not_found:
        messages.warning(request, f"Not found: {', '.join(result.not_found)}")
    return redirect(back)
