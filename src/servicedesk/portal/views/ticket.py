"""A ticket's page for its requester: summary, timeline, replies, live updates, and the steps
after resolution (confirm, dispute, survey)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from servicedesk.directory.models import Person
from servicedesk.portal.forms import DisputeForm, ReplyForm, SurveyForm
from servicedesk.portal.views.common import attachment_limits, show_refusal, signed_in_person
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services.replies import reply_add
from servicedesk.tickets.services.resolution import (
    resolution_confirm,
    resolution_dispute,
    survey_submit,
)
from servicedesk.tickets.ticket_page import (
    TicketPage,
    comment_get,
    ticket_fingerprint,
    ticket_page,
    unchanged_since,
)


def _page_or_404(person: Person, number: str) -> TicketPage:
    try:
        return ticket_page(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing


def _context(page: TicketPage, **forms_given: forms.Form) -> dict[str, Any]:
    context: dict[str, Any] = {
        "page": page,
        "ticket": page.ticket,
        "poll_seconds": settings.SERVICEDESK_PORTAL_POLL_SECONDS,
        "reply_form": ReplyForm(),
        "dispute_form": DisputeForm(),
        "survey_form": SurveyForm(),
        **attachment_limits(),
    }
    context.update(forms_given)
    return context


def _render(
    request: HttpRequest, page: TicketPage, status: int = 200, **forms_given: forms.Form
) -> HttpResponse:
    return render(request, "portal/ticket.html", _context(page, **forms_given), status=status)


@login_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, _page_or_404(signed_in_person(request), number))


@require_GET
def ticket_live(request: HttpRequest, number: str) -> HttpResponse:
    """The polled part of the ticket page. Unchanged since the caller's copy: 204 (htmx keeps
    what it shows). With the key the page handed out, that answer costs the session and one
    look-up by number, whoever polls (a thousand requesters every few seconds); without it,
    or after a change, the full road below."""
    if unchanged_since(
        request.GET.get("key", ""),
        number,
        request.GET.get("since", ""),
        request.session.get(SESSION_KEY),
    ):
        return HttpResponse(status=204)
    return _ticket_live(request, number)


@login_required
def _ticket_live(request: HttpRequest, number: str) -> HttpResponse:
    """Unchanged: 204, or 304 for a plain conditional GET, after the access policy's look-up
    (three small queries); changed: the fragment, rendered."""
    person = signed_in_person(request)
    fingerprint = ticket_fingerprint(person, number)
    if fingerprint is None:
        raise Http404
    etag = f'"{fingerprint}"'
    if request.GET.get("since") == fingerprint:
        return HttpResponse(status=204)
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    page = _page_or_404(person, number)
    response = render(request, "portal/_ticket_live.html", _context(page))
    response["ETag"] = f'"{page.fingerprint}"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _back_to(ticket: Ticket, anchor: str = "") -> HttpResponse:
    return redirect(reverse("portal:ticket", args=[ticket.number]) + anchor)


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    person = signed_in_person(request)
    page = _page_or_404(person, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            comment = reply_add(
                page.ticket,
                actor=person,
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
                urgent=request.POST.get("urgent") == "1",
            )
        except TicketError as refused:
            show_refusal(form, refused, fallback_field="body")
        else:
            return _back_to(page.ticket, f"#comment-{comment.pk}")
    return _render(request, page, status=400, reply_form=form)


@login_required
@require_POST
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    person = signed_in_person(request)
    page = _page_or_404(person, number)
    try:
        resolution_confirm(page.ticket, actor=person)
    except TicketError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Thank you: the ticket is closed.")
    return _back_to(page.ticket)


@login_required
@require_POST
def dispute(request: HttpRequest, number: str) -> HttpResponse:
    person = signed_in_person(request)
    page = _page_or_404(person, number)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            resolution_dispute(page.ticket, actor=person, reason=form.cleaned_data["reason"])
        except TicketError as refused:
            show_refusal(form, refused, fallback_field="reason")
        else:
            messages.success(request, "The ticket is reopened; the desk sees your reason.")
            return _back_to(page.ticket)
    return _render(request, page, status=400, dispute_form=form)


@login_required
@require_POST
def survey(request: HttpRequest, number: str) -> HttpResponse:
    person = signed_in_person(request)
    page = _page_or_404(person, number)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            survey_submit(
                page.ticket,
                actor=person,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except TicketError as refused:
            show_refusal(form, refused, fallback_field="rating")
        else:
            messages.success(request, "Thank you for your answer.")
            return _back_to(page.ticket)
    return _render(request, page, status=400, survey_form=form)


@login_required
@require_GET
def comment_link(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A comment's permanent address: its place on the ticket page, if the viewer may see it."""
    try:
        comment: Comment = comment_get(signed_in_person(request), number, pk)
    except Comment.DoesNotExist as missing:
        raise Http404 from missing
    return _back_to(comment.ticket, f"#comment-{comment.pk}")
