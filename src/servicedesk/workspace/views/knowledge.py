"""The workspace's knowledge pages: write, publish and retire articles, record and close known
errors, and the diagnosis panel on a ticket (known errors and articles that may answer it).

Two authors at once: the article and known-error forms carry the version read. A save based on
an older one comes back with status 409, the current text beside what was typed, the typed form
intact and its version refreshed, so saving again is a deliberate choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.directory.models import Person
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.knowledge.errors import KnowledgeError, StaleKnowledgeError
from servicedesk.knowledge.models import Article, KnownError
from servicedesk.knowledge.selectors import (
    article_get,
    articles_ranked,
    articles_suggested_for,
    articles_with_feedback_counts,
    feedback_summary,
    known_error_get,
    known_errors_list,
    known_errors_suggested_for,
)
from servicedesk.knowledge.services import (
    article_create,
    article_publish,
    article_retire,
    article_update,
    known_error_close,
    known_error_record,
    known_error_update,
)
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import ticket_get
from servicedesk.workspace.knowledge_forms import (
    ArticleFilterForm,
    ArticleForm,
    KnownErrorCloseForm,
    KnownErrorFilterForm,
    KnownErrorForm,
    VersionForm,
)
from servicedesk.workspace.views.common import staff_person

PAGE_SIZE = 25
ARTICLE_FIELDS = ("title", "summary", "body", "keywords", "category", "service")
KNOWN_ERROR_FIELDS = ("title", "symptoms", "workaround", "root_cause", "service", "problem")


def _show_refusal(form: forms.Form, error: KnowledgeError, fallback_field: str | None) -> None:
    field = error.field if error.field in form.fields else fallback_field
    form.add_error(field, error.message)


def _refreshed(form_class: Any, form: forms.Form, version: int, **kwargs: Any) -> forms.Form:
    """The same typed form, its version moved to the one now shown beside it."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(version)
    fresh: forms.Form = form_class(data, **kwargs)
    fresh.is_valid()
    return fresh


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _differences(
    form: forms.Form, current: Article | KnownError, names: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    """(field, value now, what you typed) for every field where the two differ."""
    rows = []
    for name in names:
        now = getattr(current, name)
        typed = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if _shown(now).strip() != _shown(typed).strip():
            label = str(form.fields[name].label or name.replace("_", " ").capitalize())
            rows.append((label, _shown(now), _shown(typed)))
    return rows


# --- Articles --------------------------------------------------------------------------------


@login_required
@require_GET
def kb_list(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    form = ArticleFilterForm(request.GET)
    text, state = "", None
    if form.is_valid():
        text = form.cleaned_data["q"]
        state = ArticleState(form.cleaned_data["state"]) if form.cleaned_data["state"] else None
    articles = articles_with_feedback_counts(
        articles_ranked(text, viewer=person, state=state).select_related("updated_by")
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "workspace/kb_list.html",
        {"form": form, "page": page, "query_without_page": keep.urlencode()},
    )


def _article_or_404(person: Person, pk: int) -> Article:
    try:
        return article_get(person, pk)
    except Article.DoesNotExist as missing:
        raise Http404 from missing


def _render_article_form(
    request: HttpRequest,
    form: forms.Form,
    article: Article | None,
    *,
    status: int = 200,
    stale: list[tuple[str, str, str]] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "article": article,
        "stale": stale,
        "feedback": feedback_summary(article) if article else None,
        "version_form": VersionForm(initial={"version": article.version}) if article else None,
    }
    return render(request, "workspace/kb_form.html", context, status=status)


def _article_values(form: forms.Form) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in ARTICLE_FIELDS}


@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    if request.method != "POST":
        return _render_article_form(request, ArticleForm(), None)
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            article = article_create(actor=person, **_article_values(form))
        except KnowledgeError as refused:
            _show_refusal(form, refused, "title")
        else:
            if request.POST.get("action") == "publish":
                return _publish_now(request, person, article)
            messages.success(request, "Draft saved. Only staff can see it until you publish it.")
            return redirect("workspace:kb_edit", pk=article.pk)
    return _render_article_form(request, form, None, status=400)


def _publish_now(request: HttpRequest, person: Person, article: Article) -> HttpResponse:
    try:
        article_publish(article, actor=person)
    except KnowledgeError as refused:
        messages.error(request, f"Saved as a draft, not published: {refused.message}")
    else:
        messages.success(request, "Published: employees can find it now.")
    return redirect("workspace:kb_edit", pk=article.pk)


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    article = _article_or_404(person, pk)
    if request.method != "POST":
        initial = {name: getattr(article, name) for name in ARTICLE_FIELDS}
        return _render_article_form(
            request, ArticleForm(initial={**initial, "version": article.version}), article
        )
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            saved = article_update(
                article,
                actor=person,
                version=form.cleaned_data["version"] or article.version,
                **_article_values(form),
            )
        except StaleKnowledgeError:
            current = _article_or_404(person, pk)
            rows = _differences(form, current, ARTICLE_FIELDS)
            fresh = _refreshed(ArticleForm, form, current.version)
            return _render_article_form(request, fresh, current, status=409, stale=rows)
        except KnowledgeError as refused:
            _show_refusal(form, refused, "title")
        else:
            if request.POST.get("action") == "publish" and not saved.is_published:
                return _publish_now(request, person, saved)
            messages.success(request, "Saved.")
            return redirect("workspace:kb_edit", pk=saved.pk)
    return _render_article_form(request, form, article, status=400)


def _state_change(request: HttpRequest, pk: int, *, publish: bool) -> HttpResponse:
    person = staff_person(request)
    article = _article_or_404(person, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        if publish:
            article_publish(article, actor=person, version=version)
        else:
            article_retire(article, actor=person, version=version)
    except KnowledgeError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            "Published: employees can find it now."
            if publish
            else "Retired: it no longer appears in the portal or in suggestions.",
        )
    return redirect("workspace:kb_edit", pk=article.pk)


@login_required
@require_POST
def article_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, publish=True)


@login_required
@require_POST
def article_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, publish=False)


# --- Known errors ----------------------------------------------------------------------------


@login_required
@require_GET
def known_error_list(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    data = request.GET if request.GET else {"state": KnownErrorState.OPEN.value}
    form = KnownErrorFilterForm(data)
    text, state = "", None
    if form.is_valid():
        text = form.cleaned_data["q"]
        state = KnownErrorState(form.cleaned_data["state"]) if form.cleaned_data["state"] else None
    page = Paginator(known_errors_list(person, state=state, text=text), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "workspace/kb_known_errors.html",
        {"form": form, "page": page, "query_without_page": keep.urlencode()},
    )


def _problem_initial(person: Person, number: str) -> dict[str, Any]:
    """A known error recorded from a problem starts from what the problem says."""
    try:
        problem = ticket_get(person, number)
    except Ticket.DoesNotExist:
        return {}
    if problem.kind != TicketKind.PROBLEM:
        return {}
    return {
        "title": problem.short_description,
        "symptoms": problem.description,
        "service": problem.service_id,
        "problem": problem.number,
    }


def _render_known_error(
    request: HttpRequest,
    form: forms.Form,
    known: KnownError | None,
    *,
    status: int = 200,
    stale: list[tuple[str, str, str]] | None = None,
    close_form: forms.Form | None = None,
) -> HttpResponse:
    if known is not None and close_form is None:
        close_form = KnownErrorCloseForm(initial={"version": known.version}, auto_id="close-%s")
    context = {"form": form, "known": known, "stale": stale, "close_form": close_form}
    return render(request, "workspace/kb_known_error_form.html", context, status=status)


def _known_error_values(form: forms.Form) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in KNOWN_ERROR_FIELDS}


@login_required
def known_error_new(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    if request.method != "POST":
        initial = _problem_initial(person, request.GET.get("problem", "")[:16])
        return _render_known_error(request, KnownErrorForm(viewer=person, initial=initial), None)
    form = KnownErrorForm(request.POST, viewer=person)
    if form.is_valid():
        try:
            known = known_error_record(actor=person, **_known_error_values(form))
        except KnowledgeError as refused:
            _show_refusal(form, refused, "title")
        else:
            messages.success(
                request, f"{known.reference} recorded: the desk will see it on similar tickets."
            )
            return redirect("workspace:kb_known_error", pk=known.pk)
    return _render_known_error(request, form, None, status=400)


def _known_error_or_404(person: Person, pk: int) -> KnownError:
    try:
        return known_error_get(person, pk)
    except KnownError.DoesNotExist as missing:
        raise Http404 from missing


def _known_error_initial(known: KnownError) -> dict[str, Any]:
    initial = {name: getattr(known, name) for name in KNOWN_ERROR_FIELDS}
    initial["problem"] = known.problem.number if known.problem else ""
    return {**initial, "version": known.version}


@login_required
def known_error_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    known = _known_error_or_404(person, pk)
    if request.method != "POST":
        form = KnownErrorForm(viewer=person, initial=_known_error_initial(known))
        return _render_known_error(request, form, known)
    form = KnownErrorForm(request.POST, viewer=person)
    if form.is_valid():
        try:
            saved = known_error_update(
                known,
                actor=person,
                version=form.cleaned_data["version"] or known.version,
                **_known_error_values(form),
            )
        except StaleKnowledgeError:
            current = _known_error_or_404(person, pk)
            rows = _differences(form, current, KNOWN_ERROR_FIELDS)
            fresh = _refreshed(KnownErrorForm, form, current.version, viewer=person)
            return _render_known_error(request, fresh, current, status=409, stale=rows)
        except KnowledgeError as refused:
            _show_refusal(form, refused, "title")
        else:
            messages.success(request, "Saved.")
            return redirect("workspace:kb_known_error", pk=saved.pk)
    return _render_known_error(request, form, known, status=400)


@login_required
@require_POST
def known_error_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    known = _known_error_or_404(person, pk)
    close_form = KnownErrorCloseForm(request.POST, auto_id="close-%s")
    if close_form.is_valid():
        try:
            known_error_close(
                known,
                actor=person,
                state=KnownErrorState(close_form.cleaned_data["state"]),
                note=close_form.cleaned_data["note"],
                version=close_form.cleaned_data["version"],
            )
        except KnowledgeError as refused:
            _show_refusal(close_form, refused, "note")
        else:
            messages.success(request, f"{known.reference} closed: it is no longer suggested.")
            return redirect("workspace:kb_known_error", pk=known.pk)
    form = KnownErrorForm(viewer=person, initial=_known_error_initial(known))
    return _render_known_error(request, form, known, status=400, close_form=close_form)


# --- The diagnosis panel on a ticket ---------------------------------------------------------


@login_required
@require_GET
def diagnosis(request: HttpRequest, number: str) -> HttpResponse:
    """Loaded by the ticket page: open known errors and published articles for this ticket."""
    person = staff_person(request)
    try:
        ticket = ticket_get(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    articles = articles_suggested_for(ticket)
    portal_links = {
        article.pk: request.build_absolute_uri(reverse("portal:kb_article", args=[article.pk]))
        for article in articles
    }
    return render(
        request,
        "workspace/_diagnosis_panel.html",
        {
            "ticket": ticket,
            "known_errors": known_errors_suggested_for(ticket),
            "articles": [(article, portal_links[article.pk]) for article in articles],
        },
    )
