"""Filing a ticket: the two forms of the state agency's filing procedure, the catalog's request
types with their own forms, drafts, and the people type-ahead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from servicedesk.catalog.models import RequestType
from servicedesk.catalog.selectors import catalog_sections, offered_request_type
from servicedesk.core.limits import RateLimited
from servicedesk.directory.models import Person
from servicedesk.directory.selectors import people_search, people_visible
from servicedesk.knowledge.selectors import articles_ranked
from servicedesk.portal.forms import TicketForm
from servicedesk.portal.views.common import attachment_limits, show_refusal, signed_in_person
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.draft_selectors import draft_get
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import Ticket, TicketDraft
from servicedesk.tickets.services.answers import ANSWER_FIELD_PREFIX, answer_field_name
from servicedesk.tickets.services.drafts import (
    draft_delete,
    draft_save,
    draft_submit,
    ticket_file,
)
from servicedesk.tickets.ticket_page import ticket_page

KINDS_BY_SLUG = {"incident": TicketKind.INCIDENT, "request": TicketKind.REQUEST}
SAVE_DRAFT = "draft"
SEARCH_MAX = 200
ARTICLES_BESIDE = 5


def _draft_or_404(person: Person, pk: int) -> TicketDraft:
    try:
        return draft_get(person, pk)
    except TicketDraft.DoesNotExist as missing:
        raise Http404 from missing


def _initial(
    person: Person, kind: TicketKind, draft: TicketDraft | None, request_type: RequestType | None
) -> dict[str, object]:
    if draft is None:
        # Most issues affect the person reporting them; they can remove themselves.
        return {
            "requester": person,
            "affected": [person] if kind == TicketKind.INCIDENT else [],
            "short_description": request_type.name if request_type else "",
        }
    return {
        "requester": draft.requester or person,
        "short_description": draft.short_description,
        "description": draft.description,
        "affected": list(draft.affected_people.all()),
        **{answer_field_name(key): value for key, value in (draft.answers or {}).items()},
    }


def _chosen_people(form: TicketForm, name: str) -> list[Person]:
    """The people a (possibly invalid) form names, for its picker's chips."""
    if name not in form.fields:
        return []
    raw = form[name].value()
    values = raw if isinstance(raw, list | tuple) else [raw]
    ids = [
        int(value.pk if isinstance(value, Person) else value)
        for value in values
        if str(getattr(value, "pk", value)).isdigit()
    ]
    by_id = {person.pk: person for person in people_visible(form.viewer).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _render_form(
    request: HttpRequest, form: TicketForm, draft: TicketDraft | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/ticket_form.html",
        {
            "form": form,
            "kind": form.kind,
            "draft": draft,
            "is_incident": form.kind == TicketKind.INCIDENT,
            "request_type": form.request_type,
            "chosen_requester": _chosen_people(form, "requester") or [form.viewer],
            "chosen_affected": _chosen_people(form, "affected"),
            "staged": list(draft.attachments.all()) if draft else [],
            **attachment_limits(),
        },
        status=status,
    )


def _filing(
    request: HttpRequest,
    kind: TicketKind,
    draft: TicketDraft | None,
    request_type: RequestType | None = None,
) -> HttpResponse:
    person = signed_in_person(request)
    if request.method != "POST":
        initial = _initial(person, kind, draft, request_type)
        if draft is None and request.GET.get("short_description"):
            # A link may start the form, e.g. an article's "File an incident" after a "No".
            initial["short_description"] = request.GET["short_description"][:160]
        form = TicketForm(
            viewer=person, kind=kind, draft=draft, initial=initial, request_type=request_type
        )
        return _render_form(request, form, draft)
    saving_draft = request.POST.get("action") == SAVE_DRAFT
    form = TicketForm(
        request.POST,
        request.FILES,
        viewer=person,
        kind=kind,
        draft=draft,
        submitting=not saving_draft,
        request_type=request_type,
    )
    if not form.is_valid():
        return _render_form(request, form, draft, status=400)
    arguments = form.service_arguments()
    removed = form.cleaned_data.get("remove_attachments") or []
    try:
        if saving_draft:
            saved = draft_save(draft, actor=person, remove_attachment_ids=removed, **arguments)
            messages.success(request, "Draft saved. It stays here until you submit or delete it.")
            return redirect("portal:draft", pk=saved.pk)
        if draft is None:
            ticket = ticket_file(actor=person, **arguments)
        else:
            kept = draft_save(draft, actor=person, remove_attachment_ids=removed, **arguments)
            ticket = draft_submit(kept, actor=person)
    except TicketError as refused:
        show_refusal(form, refused, fallback_field="short_description")
        return _render_form(request, form, draft, status=400)
    except RateLimited as held:
        # A draft being submitted was saved just above; a new ticket becomes a draft now.
        kept = draft or draft_save(None, actor=person, remove_attachment_ids=[], **arguments)
        return _held_as_draft(request, kept, held)
    return redirect("portal:filed", number=ticket.number)


def _held_as_draft(request: HttpRequest, kept: TicketDraft, held: RateLimited) -> HttpResponse:
    """Over the filing limit: nothing typed or attached is lost; it waits as a draft."""
    minutes = max(1, -(-held.retry_after // 60))
    messages.error(
        request,
        ngettext(
            "You have filed as many tickets as the portal accepts in a short time. We kept this "
            "one as a draft: you can submit it in %(minutes)d minute.",
            "You have filed as many tickets as the portal accepts in a short time. We kept this "
            "one as a draft: you can submit it in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
    )
    return redirect("portal:draft", pk=kept.pk)


@login_required
def ticket_new(request: HttpRequest, kind_slug: str) -> HttpResponse:
    kind = KINDS_BY_SLUG.get(kind_slug)
    if kind is None:
        raise Http404
    return _filing(request, kind, None)


@login_required
@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    """Request assistance: the catalog's request types by category, with matching articles."""
    person = signed_in_person(request)
    text = request.GET.get("q", "")[:SEARCH_MAX].strip()
    articles = list(articles_ranked(text, viewer=person)[:ARTICLES_BESIDE]) if text else []
    return render(
        request,
        "portal/catalog.html",
        {"text": text, "sections": catalog_sections(text), "articles": articles},
    )


@login_required
def request_of_type(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        request_type = offered_request_type(slug)
    except RequestType.DoesNotExist as missing:
        raise Http404 from missing
    return _filing(request, TicketKind.REQUEST, None, request_type)


@login_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(signed_in_person(request), pk)
    return _filing(request, TicketKind(draft.kind), draft, draft.request_type)


@login_required
@require_POST
def draft_remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = signed_in_person(request)
    draft_delete(_draft_or_404(person, pk), actor=person)
    messages.success(request, "Draft deleted.")
    return redirect("portal:home")


@login_required
def filed(request: HttpRequest, number: str) -> HttpResponse:
    """Right after submitting: the number, what happens next, and when to expect it."""
    try:
        page = ticket_page(signed_in_person(request), number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "portal/filed.html", {"page": page})


@login_required
@require_GET
def people_lookup(request: HttpRequest) -> HttpResponse:
    """Type-ahead results for a people picker: names and agencies only."""
    field = request.GET.get("field", "")
    if field not in {"affected", "requester"} and not field.startswith(ANSWER_FIELD_PREFIX):
        raise Http404
    query = request.GET.get(f"{field}_search", "")
    return render(
        request,
        "portal/_people_results.html",
        {"people": people_search(signed_in_person(request), query), "field": field, "query": query},
    )
