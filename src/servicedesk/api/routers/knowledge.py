"""`/articles` (published ones for requesters, every state for staff) and `/known-errors`
(staff only), read-only. Authors write in the workspace.

`q` keeps every article with all its words (see `knowledge.search`); pages follow `ordering`
with a cursor like every other list, so a script can walk all results. Ranking by relevance is
the portal's search box's business.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, ApiError, ApiErrorCode
from servicedesk.api.paging import keyset_page
from servicedesk.api.params import allowed_names, reject_unknown_parameters
from servicedesk.api.schemas.common import Id
from servicedesk.api.schemas.knowledge import (
    ArticleFilters,
    ArticleOut,
    ArticlePage,
    KnownErrorFilters,
    KnownErrorPage,
)
from servicedesk.knowledge.models import Article
from servicedesk.knowledge.search import WordMatch, terms_of
from servicedesk.knowledge.selectors import article_get, known_errors_list, visible_articles

router = Router(tags=["knowledge"])


@router.get("/articles", response={200: ArticlePage, **ERRORS})
def article_list(request: HttpRequest, filters: Query[ArticleFilters]) -> dict[str, Any]:
    reject_unknown_parameters(request, allowed_names(ArticleFilters))
    viewer = caller(request)
    articles = visible_articles(viewer).select_related("category", "service")
    if filters.state and viewer.is_staff_member:
        articles = articles.filter(state=filters.state)
    if filters.category:
        articles = articles.filter(category_id=filters.category)
    if filters.service:
        articles = articles.filter(service_id=filters.service)
    terms = terms_of(filters.q or "")
    if terms:
        articles = articles.filter(WordMatch(terms).every_term())
    items, next_cursor = keyset_page(
        articles, ordering=filters.ordering.value, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/articles/{article_id}", response={200: ArticleOut, **ERRORS})
def article_detail(request: HttpRequest, article_id: Id) -> Article:
    """A draft or retired article is a 404 for requesters, like one that does not exist."""
    return article_get(caller(request), article_id)


@router.get("/known-errors", response={200: KnownErrorPage, **ERRORS})
def known_error_list(request: HttpRequest, filters: Query[KnownErrorFilters]) -> dict[str, Any]:
    """Staff only: a known error may name a cause the desk has not announced."""
    reject_unknown_parameters(request, allowed_names(KnownErrorFilters))
    viewer = caller(request)
    if not viewer.is_staff_member:
        raise ApiError(
            403, ApiErrorCode.PERMISSION_DENIED, "Known errors are for service desk staff."
        )
    known = known_errors_list(viewer, state=filters.state)
    if filters.service:
        known = known.filter(service_id=filters.service)
    terms = terms_of(filters.q or "")
    if terms:
        known = known.filter(WordMatch(terms).every_term())
    items, next_cursor = keyset_page(
        known, ordering="-created_at", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": items, "next_cursor": next_cursor}
