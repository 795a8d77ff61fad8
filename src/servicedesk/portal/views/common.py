"""What every portal view needs: the signed-in person and a way to show a refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest

from servicedesk.directory.models import Person
from servicedesk.tickets.errors import TicketError


def signed_in_person(request: HttpRequest) -> Person:
    """`login_required` has run; the user model is Person."""
    user = request.user
    assert isinstance(user, Person)
    return user


def show_refusal(form: forms.Form, error: TicketError, *, fallback_field: str | None) -> None:
    """Put a service's refusal next to the field it names (or the form's main field)."""
    field = error.field if error.field in form.fields else fallback_field
    form.add_error(field, error.message)


def attachment_limits() -> dict[str, Any]:
    """What the attachment fields tell people before they choose a file."""
    return {
        "max_mb": settings.SERVICEDESK_ATTACHMENT_MAX_BYTES // 1_048_576,
        "forbidden": " ".join(settings.SERVICEDESK_ATTACHMENT_FORBIDDEN_EXTENSIONS),
    }
