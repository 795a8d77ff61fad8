"""A person's notifications page: their in-app inbox and their mail preferences.

Thin: reads go through `selectors`, writes through `services`; only ever the person's own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.directory.models import Person
from servicedesk.notifications.forms import PreferencesForm
from servicedesk.notifications.models import Notification, NotificationPreference
from servicedesk.notifications.selectors import notification_of, notifications_of, preference_of
from servicedesk.notifications.services import (
    MAIL_SWITCHES,
    notifications_mark_read,
    preferences_save,
)
from servicedesk.tickets.models import Ticket

PAGE_SIZE = 25


def _person(request: HttpRequest) -> Person:
    """`login_required` has run; the user model is Person."""
    user = request.user
    assert isinstance(user, Person)
    return user


def ticket_path(person: Person, ticket: Ticket) -> str:
    """Where this person reads the ticket: the workspace for staff, the portal for requesters."""
    name = "workspace:ticket" if person.is_staff_member else "portal:ticket"
    return reverse(name, args=[ticket.number])


def _enabled_kinds(preference: NotificationPreference) -> list[str]:
    return [kinds[0] for field, kinds, _ in MAIL_SWITCHES if getattr(preference, field)]


def _render(
    request: HttpRequest, person: Person, form: PreferencesForm | None = None, status: int = 200
) -> HttpResponse:
    page = Paginator(notifications_of(person), PAGE_SIZE).get_page(request.GET.get("page"))
    items: list[tuple[Notification, str]] = [
        (note, reverse("notifications:open", args=[note.pk])) for note in page
    ]
    if form is None:
        form = PreferencesForm(
            person=person, initial={"kinds": _enabled_kinds(preference_of(person))}
        )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "items": items,
            "has_unread": any(note.read_at is None for note, _ in items),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return _render(request, _person(request))


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its ticket (or back to the list without one)."""
    person = _person(request)
    try:
        note = notification_of(person, pk)
    except Notification.DoesNotExist as missing:
        raise Http404 from missing
    if note.read_at is None:
        notifications_mark_read(person, [note.pk])
    if note.ticket is None:
        return redirect("notifications:inbox")
    return redirect(ticket_path(person, note.ticket))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(_person(request))
    messages.success(request, f"Marked {count} notification{'' if count == 1 else 's'} as read.")
    return redirect("notifications:inbox")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = PreferencesForm(request.POST, person=person)
    if not form.is_valid():
        return _render(request, person, form, status=400)
    offered = {kinds[0] for _, kinds, _ in form.switches}
    # Switches this person is not shown keep what they were.
    kept = [kind for kind in _enabled_kinds(preference_of(person)) if kind not in offered]
    preferences_save(person, [*form.cleaned_data["kinds"], *kept])
    messages.success(request, "Your e-mail preferences are saved.")
    return redirect(f"{reverse('notifications:inbox')}#preferences")
