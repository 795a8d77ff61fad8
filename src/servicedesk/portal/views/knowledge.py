"""The knowledge base for employees: browse by category or service, search, read an article
and say whether it helped. Published articles only: anything else is the same 404 as a
missing page (staff see drafts too, marked as such, so that they can preview them)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from servicedesk.catalog.models import Category, Service
from servicedesk.knowledge.errors import KnowledgeError
from servicedesk.knowledge.models import Article
from servicedesk.knowledge.selectors import (
    article_facets,
    article_get,
    articles_ranked,
    feedback_of,
)
from servicedesk.knowledge.services import FEEDBACK_COMMENT_MAX, article_feedback_record
from servicedesk.portal.views.common import signed_in_person

PAGE_SIZE = 20
SEARCH_MAX = 200


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label="Did this help?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label="What was missing or wrong? (optional)",
        required=False,
        max_length=FEEDBACK_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


def _chosen(model: type[Category] | type[Service], raw: str | None) -> Category | Service | None:
    if not raw or not raw.isdigit():
        return None
    return model.objects.filter(pk=int(raw)).first()


@login_required
@require_GET
def kb_home(request: HttpRequest) -> HttpResponse:
    person = signed_in_person(request)
    text = request.GET.get("q", "")[:SEARCH_MAX].strip()
    category = _chosen(Category, request.GET.get("category"))
    service = _chosen(Service, request.GET.get("service"))
    categories, services = article_facets(person)
    browsing = bool(text or category or service)
    page = None
    if browsing:
        found = articles_ranked(
            text,
            viewer=person,
            category=category if isinstance(category, Category) else None,
            service=service if isinstance(service, Service) else None,
        )
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "portal/kb.html",
        {
            "text": text,
            "category": category,
            "service": service,
            "categories": categories,
            "services": services,
            "browsing": browsing,
            "page": page,
            "query_without_page": keep.urlencode(),
        },
    )


def _article_or_404(request: HttpRequest, pk: int) -> Article:
    try:
        return article_get(signed_in_person(request), pk)
    except Article.DoesNotExist as missing:
        raise Http404 from missing


def _incident_link(article: Article) -> str:
    """The portal's incident form with the short description already written."""
    query = urlencode({"short_description": f"Still need help: {article.title}"[:160]})
    return f"{reverse('portal:new', args=['incident'])}?{query}"


def _feedback_context(
    request: HttpRequest, article: Article, form: FeedbackForm | None = None, saved: bool = False
) -> dict[str, object]:
    answer = feedback_of(article, signed_in_person(request))
    initial = {"comment": answer.comment} if answer else {}
    return {
        "article": article,
        "answer": answer,
        "saved": saved,
        "feedback_form": form or FeedbackForm(initial=initial, auto_id="feedback-%s"),
        "incident_link": _incident_link(article),
    }


@login_required
@require_GET
def kb_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    return render(request, "portal/kb_article.html", _feedback_context(request, article))


@login_required
@require_POST
def kb_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer "did this help?" (again): htmx swaps the panel, a plain form comes back to the
    article."""
    article = _article_or_404(request, pk)
    form = FeedbackForm(request.POST, auto_id="feedback-%s")
    status = 200
    saved = False
    if form.is_valid():
        try:
            article_feedback_record(
                article,
                actor=signed_in_person(request),
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
            )
        except KnowledgeError as refused:
            form.add_error("comment" if refused.field == "comment" else None, refused.message)
            status = 400
        else:
            saved = True
            form = FeedbackForm(
                initial={"comment": form.cleaned_data["comment"]}, auto_id="feedback-%s"
            )
    else:
        status = 400
    if request.headers.get("HX-Request") != "true":
        if saved:
            return redirect(reverse("portal:kb_article", args=[article.pk]) + "#feedback")
        context = _feedback_context(request, article, form)
        return render(request, "portal/kb_article.html", context, status=status)
    context = _feedback_context(request, article, form, saved=saved)
    return render(request, "portal/_kb_feedback.html", context, status=status)
