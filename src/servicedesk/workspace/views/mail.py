"""The original of a mail that filed or answered a ticket, as the .eml file it arrived as."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from servicedesk.mail.selectors import received_mail
from servicedesk.tickets.access import visible_tickets
from servicedesk.workspace.views.common import staff_person


@login_required
@require_GET
def ticket_mail_original(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    person = staff_person(request)
    ticket = visible_tickets(person).filter(number=number).first()
    found = received_mail(person, ticket, pk) if ticket is not None else None
    if ticket is None or found is None:
        raise Http404
    # Always a download: a browser must never render what a stranger wrote as a page.
    response = HttpResponse(bytes(found.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{ticket.number}-mail-{found.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
