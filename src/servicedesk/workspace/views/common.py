"""What every workspace view needs: the signed-in staff member, refusals shown on forms."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest

from servicedesk.directory.models import Person
from servicedesk.tickets.errors import TicketError


def staff_person(request: HttpRequest) -> Person:
    """The workspace is for staff: anyone else gets the same 404 as a missing page."""
    user = request.user
    if not isinstance(user, Person) or not user.is_staff_member:
        raise Http404
    return user


def show_refusal(form: forms.Form, error: TicketError, *, fallback_field: str | None) -> None:
    """Put a service's refusal next to the field it names (or the form's main field)."""
    field = error.field if error.field in form.fields else fallback_field
    form.add_error(field, error.message)
