"""Reads of articles and known errors. Requesters (and the API for them) see published articles
only; staff see every state. Known errors are for staff: they name causes not yet fixed."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable

from servicedesk.catalog.models import Category, Service
from servicedesk.directory.models import Person
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.knowledge.models import Article, ArticleFeedback, KnownError
from servicedesk.knowledge.search import WordMatch, terms_of
from servicedesk.tickets.models import Ticket

Viewer = Person | AnonymousUser

# `articles_matching` answers while someone types; fewer letters than this match too much.
MATCHING_MIN_CHARACTERS = 3
# A known error on the ticket's own service counts as much as a few words in common.
SAME_SERVICE_BONUS = 4


def _is_staff(viewer: Viewer) -> bool:
    return isinstance(viewer, Person) and viewer.is_active and viewer.is_staff_member


def visible_articles(viewer: Viewer) -> QuerySet[Article]:
    """Staff see drafts, published and retired articles; everyone else published ones only."""
    articles = Article.objects.all()
    if not isinstance(viewer, Person) or not viewer.is_active:
        return articles.none()
    if viewer.is_staff_member:
        return articles
    return articles.filter(state=ArticleState.PUBLISHED)


def article_get(viewer: Viewer, pk: int) -> Article:
    """Raises Article.DoesNotExist for an article that is missing or not the viewer's to see."""
    return visible_articles(viewer).select_related("category", "service", "author").get(pk=pk)


def _minimum_score(terms: list[str]) -> int:
    """One word must be in the heading, or two anywhere (a lone body word is too weak)."""
    return 2 if len(terms) > 1 else 1


def _minimum_terms_found(terms: list[str]) -> int:
    """A sentence of three words or more must share two of them with the article: one common
    word ("shows", "checkout") in a heading is a coincidence, not an answer."""
    return 2 if len(terms) >= 3 else 1


def articles_ranked(
    text: str,
    *,
    viewer: Viewer,
    state: ArticleState | None = None,
    category: Category | None = None,
    service: Service | None = None,
) -> QuerySet[Article]:
    """Articles the viewer may read with every word of `text`, best first (all of them, newest
    first, when `text` has no searchable word). `state` filters for staff only."""
    articles = visible_articles(viewer).select_related("category", "service")
    if state and _is_staff(viewer):
        articles = articles.filter(state=state)
    if category is not None:
        articles = articles.filter(category=category)
    if service is not None:
        articles = articles.filter(service=service)
    terms = terms_of(text)
    if not terms:
        return articles.annotate(score=Value(0)).order_by("-updated_at", "-id")
    match = WordMatch(terms)
    return (
        articles.filter(match.every_term())
        .annotate(score=match.rank())
        .order_by("-score", "-published_at", "title", "id")
    )


def articles_search(
    text: str,
    *,
    viewer: Viewer,
    limit: int = 10,
    state: ArticleState | None = None,
    category: Category | None = None,
    service: Service | None = None,
) -> list[Article]:
    """Full-text search over title, summary, keywords and body, ranked by relevance.
    Empty when `text` has no searchable word (see `knowledge.search`)."""
    if not terms_of(text):
        return []
    found = articles_ranked(text, viewer=viewer, state=state, category=category, service=service)
    return list(found[:limit])


def articles_matching(text: str, limit: int = 5) -> list[Article]:
    """Published articles that may answer what someone is typing, best first; empty for text
    shorter than 3 characters. Unlike a search box, not every word must match: a sentence like
    "my vpn password expired" still finds the VPN password article."""
    if len(text.strip()) < MATCHING_MIN_CHARACTERS:
        return []
    terms = terms_of(text)
    if not terms:
        return []
    match = WordMatch(terms)
    found = (
        Article.objects.filter(state=ArticleState.PUBLISHED)
        .filter(match.any_term())
        .alias(score=match.rank(), terms_found=match.terms_found())
        .filter(score__gte=_minimum_score(terms), terms_found__gte=_minimum_terms_found(terms))
        .order_by("-score", "-published_at", "id")
    )
    return list(found[:limit])


@dataclass(frozen=True)
class Facet:
    """A category or service to browse by, with how many articles the viewer can read in it."""

    pk: int
    name: str
    count: int


def article_facets(viewer: Viewer) -> tuple[list[Facet], list[Facet]]:
    """(categories, services) that hold published articles, with their counts."""
    published = visible_articles(viewer).filter(state=ArticleState.PUBLISHED)
    categories = (
        published.filter(category__isnull=False)
        .values("category_id", "category__name")
        .annotate(count=Count("id"))
        .order_by("category__number")
    )
    services = (
        published.filter(service__isnull=False)
        .values("service_id", "service__name")
        .annotate(count=Count("id"))
        .order_by("service__name")
    )
    return (
        [Facet(row["category_id"], row["category__name"], row["count"]) for row in categories],
        [Facet(row["service_id"], row["service__name"], row["count"]) for row in services],
    )


def articles_with_feedback_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Each article with `helpful_count` and `not_helpful_count`, for authors."""
    return articles.annotate(
        helpful_count=Count("feedback", filter=Q(feedback__helpful=True)),
        not_helpful_count=Count("feedback", filter=Q(feedback__helpful=False)),
    )


@dataclass(frozen=True)
class FeedbackSummary:
    helpful: int
    not_helpful: int
    comments: list[ArticleFeedback]


def feedback_summary(article: Article, *, comments: int = 20) -> FeedbackSummary:
    counts = ArticleFeedback.objects.filter(article=article).aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False))
    )
    latest = (
        ArticleFeedback.objects.filter(article=article)
        .exclude(comment="")
        .select_related("person")
        .order_by("-updated_at", "-id")[:comments]
    )
    return FeedbackSummary(counts["yes"], counts["no"], list(latest))


def feedback_of(article: Article, viewer: Viewer) -> ArticleFeedback | None:
    if not isinstance(viewer, Person):
        return None
    return ArticleFeedback.objects.filter(article=article, person=viewer).first()


# --- Known errors ----------------------------------------------------------------------------


def visible_known_errors(viewer: Viewer) -> QuerySet[KnownError]:
    """Staff only: a known error may name a cause the desk has not announced."""
    if not _is_staff(viewer):
        return KnownError.objects.none()
    return KnownError.objects.select_related("service", "problem", "created_by")


def known_error_get(viewer: Viewer, pk: int) -> KnownError:
    return visible_known_errors(viewer).get(pk=pk)


def known_errors_list(
    viewer: Viewer, *, state: KnownErrorState | None = None, text: str = ""
) -> QuerySet[KnownError]:
    known = visible_known_errors(viewer)
    if state:
        known = known.filter(state=state)
    terms = terms_of(text)
    if not terms:
        return known.order_by("-created_at", "-id")
    match = WordMatch(terms)
    return (
        known.filter(match.every_term())
        .annotate(score=match.rank())
        .order_by("-score", "-created_at", "-id")
    )


def _ticket_terms(ticket: Ticket) -> list[str]:
    """The short description's words first: they say what the ticket is about."""
    terms = terms_of(ticket.short_description)
    return terms + [term for term in terms_of(ticket.description) if term not in terms]


def known_errors_suggested_for(ticket: Ticket, limit: int = 3) -> list[KnownError]:
    """Open known errors for a ticket: on its service and/or sharing its words, best first."""
    terms = _ticket_terms(ticket)[:8]
    if not terms and not ticket.service_id:
        return []
    candidates = Q()
    score: Combinable = Value(0)
    if terms:
        match = WordMatch(terms)
        candidates |= match.any_term()
        score = match.rank()
    if ticket.service_id:
        same_service = Q(service_id=ticket.service_id)
        candidates |= same_service
        score = score + Case(
            When(same_service, then=Value(SAME_SERVICE_BONUS)),
            default=Value(0),
            output_field=IntegerField(),
        )
    found = (
        KnownError.objects.filter(state=KnownErrorState.OPEN)
        .filter(candidates)
        .select_related("service", "problem")
        .alias(score=score)
        .filter(score__gte=_minimum_score(terms))
        .order_by("-score", "-created_at", "-id")
    )
    return list(found[:limit])


def articles_suggested_for(ticket: Ticket, limit: int = 3) -> list[Article]:
    """Published articles an agent might send to a ticket's requester."""
    return articles_matching(f"{ticket.short_description} {ticket.description[:500]}", limit)
