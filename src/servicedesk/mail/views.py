"""The mail desk's page (/workspace/mail/): held mail to release or discard, with the recent
decisions; and the addresses marked undeliverable after a bounce, to clear once fixed.

Thin adapters over `mail.review` and `notifications.bounces`; held mail is listed only to those
who may review it (`review.may_review`), the bounce marks to every staff member.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.directory.models import Person
from servicedesk.mail import review
from servicedesk.mail.models import InboundMessage
from servicedesk.mail.parsing import MalformedMessageError, parse
from servicedesk.notifications.bounces import address_clear, marked_addresses
from servicedesk.notifications.models import UndeliverableAddress

PREVIEW_CHARS = 600
PAGE = 50


def _staff(request: HttpRequest) -> Person:
    """The signed-in staff member (the views send anyone signed out to sign in first)."""
    user = request.user
    if not isinstance(user, Person) or not user.is_active or not user.is_staff_member:
        raise Http404
    return user


def _preview(raw: bytes) -> str:
    try:
        return parse(raw, max_header_bytes=65_536).text.strip()[:PREVIEW_CHARS]
    except MalformedMessageError:
        return ""


@login_required
def mail_desk(request: HttpRequest) -> HttpResponse:
    person = _staff(request)
    held = list(review.held_messages(person)[:PAGE])
    raws = dict(InboundMessage.objects.filter(pk__in=[r.pk for r in held]).values_list("pk", "raw"))
    context = {
        "may_review": review.may_review(person),
        "held": [(row, _preview(bytes(raws[row.pk]))) for row in held],
        "reviews": review.recent_reviews(person),
        "marks": marked_addresses(),
    }
    return render(request, "mail/desk.html", context)


def _held_row(request: HttpRequest, pk: int) -> tuple[Person, InboundMessage]:
    person = _staff(request)
    if not review.may_review(person):
        raise Http404
    return person, get_object_or_404(InboundMessage.objects.defer("raw"), pk=pk)


@login_required
@require_POST
def held_release(request: HttpRequest, pk: int) -> HttpResponse:
    person, row = _held_row(request, pk)
    try:
        done = review.held_release(row, actor=person, note=request.POST.get("note", ""))
    except review.ReviewRefusedError as refused:
        messages.error(request, refused.message)
    else:
        outcome = done.get_state_display().lower()
        if done.ticket is not None:
            text = _("Released: %(outcome)s on %(number)s.") % {
                "outcome": outcome,
                "number": done.ticket.number,
            }
        else:
            text = _("Released: %(outcome)s") % {"outcome": outcome}
        messages.success(request, text)
    return redirect("mail:desk")


@login_required
@require_POST
def held_discard(request: HttpRequest, pk: int) -> HttpResponse:
    person, row = _held_row(request, pk)
    try:
        review.held_discard(row, actor=person, note=request.POST.get("note", ""))
    except review.ReviewRefusedError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Discarded."))
    return redirect("mail:desk")


@login_required
@require_POST
def undeliverable_clear(request: HttpRequest, pk: int) -> HttpResponse:
    person = _staff(request)
    mark = get_object_or_404(UndeliverableAddress, pk=pk)
    address_clear(mark, actor=person)
    messages.success(request, _("Mail to %(address)s goes out again.") % {"address": mark.address})
    return redirect("mail:desk")
