"""Every write to the knowledge base: articles, readers' feedback, known errors.

Each function is one transaction that applies fully or raises `KnowledgeError` (a code from
`KnowledgeErrorCode`, the field at fault) and changes nothing. Only staff write articles and
known errors; anyone signed in may say whether a published article helped. Edits carry the
`version` the editor read; a save based on an older one raises `StaleKnowledgeError`.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from servicedesk.catalog.models import Category, Service
from servicedesk.directory.models import Person
from servicedesk.knowledge.choices import (
    CLOSED_KNOWN_ERROR_STATES,
    ArticleState,
    KnownErrorState,
)
from servicedesk.knowledge.errors import KnowledgeError, KnowledgeErrorCode, StaleKnowledgeError
from servicedesk.knowledge.models import Article, ArticleFeedback, KnownError
from servicedesk.knowledge.search import document_of
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import comment_add

FEEDBACK_COMMENT_MAX = 2_000
LONG_TEXT_MAX = 50_000


def _refuse(code: KnowledgeErrorCode, message: str, field: str | None = None) -> KnowledgeError:
    return KnowledgeError(code, message, field=field)


def _require_staff(actor: Person, what: str) -> None:
    if not (actor.is_active and actor.is_staff_member):
        raise _refuse(KnowledgeErrorCode.NOT_PERMITTED, f"Only service desk staff can {what}.")


def _text(value: str, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    cleaned = value.strip()
    if "\x00" in cleaned:
        raise _refuse(KnowledgeErrorCode.INVALID_VALUE, f"{label} contains a NUL character.", field)
    if required and not cleaned:
        raise _refuse(KnowledgeErrorCode.REQUIRED, f"{label} is required.", field)
    if len(cleaned) > max_length:
        raise _refuse(
            KnowledgeErrorCode.TOO_LONG,
            f"{label} is {len(cleaned)} characters long; at most {max_length} fit.",
            field,
        )
    return cleaned


def _keywords(value: str) -> str:
    """Comma-separated, each trimmed, repeats dropped: "vpn, VPN ,remote" → "vpn, remote"."""
    seen: list[str] = []
    for word in value.split(","):
        word = word.strip()
        if word and word.casefold() not in {w.casefold() for w in seen}:
            seen.append(word)
    return _text(", ".join(seen), "keywords", "Keywords", max_length=300)


# --- Articles --------------------------------------------------------------------------------


def _fill_article(
    article: Article,
    *,
    title: str,
    body: str,
    summary: str,
    keywords: str,
    category: Category | None,
    service: Service | None,
) -> None:
    article.title = _text(title, "title", "Title", max_length=200, required=True)
    article.summary = _text(summary, "summary", "Summary", max_length=300)
    article.body = _text(body, "body", "Body", max_length=LONG_TEXT_MAX)
    article.keywords = _keywords(keywords)
    article.category = category
    article.service = service
    article.search_heading = document_of(article.title, article.keywords)
    article.search_body = document_of(article.summary, article.body)


def _locked_article(article: Article, version: int | None) -> Article:
    current = Article.objects.select_for_update().get(pk=article.pk)
    if version is not None and current.version != version:
        raise StaleKnowledgeError("article", current.version, version)
    return current


Versioned = TypeVar("Versioned", Article, KnownError)


def _saved(record: Versioned, actor: Person) -> Versioned:
    """Every edit of an article or a known error: who, when, and a new version."""
    record.updated_by = actor
    record.updated_at = timezone.now()
    record.version += 1
    record.save()
    return record


@transaction.atomic
def article_create(
    *,
    actor: Person,
    title: str,
    body: str = "",
    summary: str = "",
    keywords: str = "",
    category: Category | None = None,
    service: Service | None = None,
) -> Article:
    """A new draft; nobody but staff sees it until it is published."""
    _require_staff(actor, "write knowledge articles")
    article = Article(author=actor, updated_by=actor, state=ArticleState.DRAFT)
    _fill_article(
        article,
        title=title,
        body=body,
        summary=summary,
        keywords=keywords,
        category=category,
        service=service,
    )
    article.save()
    return article


@transaction.atomic
def article_update(
    article: Article,
    *,
    actor: Person,
    version: int,
    title: str,
    body: str,
    summary: str,
    keywords: str,
    category: Category | None,
    service: Service | None,
) -> Article:
    """Replace the article's text and filing. A published article stays published: readers see
    the change at once. A published article cannot lose its body."""
    _require_staff(actor, "edit knowledge articles")
    current = _locked_article(article, version)
    _fill_article(
        current,
        title=title,
        body=body,
        summary=summary,
        keywords=keywords,
        category=category,
        service=service,
    )
    if current.is_published and not current.body:
        raise _refuse(KnowledgeErrorCode.REQUIRED, "A published article needs a body.", "body")
    return _saved(current, actor)


@transaction.atomic
def article_publish(article: Article, *, actor: Person, version: int | None = None) -> Article:
    """A draft or retired article becomes readable by everyone."""
    _require_staff(actor, "publish knowledge articles")
    current = _locked_article(article, version)
    if current.is_published:
        raise _refuse(KnowledgeErrorCode.ILLEGAL_TRANSITION, "This article is already published.")
    if not current.body:
        raise _refuse(
            KnowledgeErrorCode.REQUIRED, "Write the body before publishing the article.", "body"
        )
    current.state = ArticleState.PUBLISHED
    current.published_at = timezone.now()
    current.retired_at = None
    return _saved(current, actor)


@transaction.atomic
def article_retire(article: Article, *, actor: Person, version: int | None = None) -> Article:
    """Out of the portal, search and suggestions; kept for the record and can be republished."""
    _require_staff(actor, "retire knowledge articles")
    current = _locked_article(article, version)
    if current.state == ArticleState.RETIRED:
        raise _refuse(KnowledgeErrorCode.ILLEGAL_TRANSITION, "This article is already retired.")
    current.state = ArticleState.RETIRED
    current.retired_at = timezone.now()
    return _saved(current, actor)


@transaction.atomic
def article_feedback_record(
    article: Article, *, actor: Person, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """The reader's one answer to "did this help?": a second answer replaces the first."""
    current = Article.objects.get(pk=article.pk)
    if not current.is_published or not actor.is_active:
        raise _refuse(
            KnowledgeErrorCode.NOT_PUBLISHED, "Only published articles take feedback.", "helpful"
        )
    cleaned = _text(comment, "comment", "Comment", max_length=FEEDBACK_COMMENT_MAX)
    now = timezone.now()
    feedback, _created = ArticleFeedback.objects.update_or_create(
        article=current,
        person=actor,
        defaults={"helpful": helpful, "comment": cleaned, "updated_at": now},
        create_defaults={"helpful": helpful, "comment": cleaned, "created_at": now},
    )
    return feedback


# --- Known errors ----------------------------------------------------------------------------


def _checked_problem(problem: Ticket | None, actor: Person) -> Ticket | None:
    if problem is None:
        return None
    if problem.kind != TicketKind.PROBLEM:
        raise _refuse(
            KnowledgeErrorCode.INVALID_VALUE,
            f"{problem.number} is not a problem; link a PRB ticket.",
            "problem",
        )
    if not visible_tickets(actor).filter(pk=problem.pk).exists():
        raise _refuse(KnowledgeErrorCode.INVALID_VALUE, "There is no such problem.", "problem")
    return problem


def _fill_known_error(
    known: KnownError,
    *,
    actor: Person,
    title: str,
    symptoms: str,
    workaround: str,
    root_cause: str,
    service: Service | None,
    problem: Ticket | None,
) -> None:
    known.title = _text(title, "title", "Title", max_length=200, required=True)
    known.symptoms = _text(
        symptoms, "symptoms", "Symptoms", max_length=LONG_TEXT_MAX, required=True
    )
    known.workaround = _text(
        workaround, "workaround", "Workaround", max_length=LONG_TEXT_MAX, required=True
    )
    known.root_cause = _text(root_cause, "root_cause", "Root cause", max_length=LONG_TEXT_MAX)
    known.problem = _checked_problem(problem, actor)
    known.service = service or (known.problem.service if known.problem else None)
    known.search_heading = document_of(known.title)
    known.search_body = document_of(known.symptoms, known.root_cause, known.workaround)


def _locked_known_error(known: KnownError, version: int | None) -> KnownError:
    current = KnownError.objects.select_for_update().get(pk=known.pk)
    if version is not None and current.version != version:
        raise StaleKnowledgeError("known error", current.version, version)
    return current


@transaction.atomic
def known_error_record(
    *,
    actor: Person,
    title: str,
    symptoms: str,
    workaround: str,
    root_cause: str = "",
    service: Service | None = None,
    problem: Ticket | None = None,
) -> KnownError:
    """An open known error, suggested to the desk for similar tickets until closed. Recorded
    from a problem, it takes the problem's service and leaves an internal note on it."""
    _require_staff(actor, "record known errors")
    known = KnownError(created_by=actor, updated_by=actor)
    _fill_known_error(
        known,
        actor=actor,
        title=title,
        symptoms=symptoms,
        workaround=workaround,
        root_cause=root_cause,
        service=service,
        problem=problem,
    )
    known.save()
    if known.problem is not None:
        comment_add(
            known.problem,
            actor=actor,
            internal=True,
            body=f"Known error {known.reference} recorded: {known.title}\n\n"
            f"Workaround:\n{known.workaround}",
        )
    return known


@transaction.atomic
def known_error_update(
    known: KnownError,
    *,
    actor: Person,
    version: int,
    title: str,
    symptoms: str,
    workaround: str,
    root_cause: str,
    service: Service | None,
    problem: Ticket | None,
) -> KnownError:
    _require_staff(actor, "edit known errors")
    current = _locked_known_error(known, version)
    _fill_known_error(
        current,
        actor=actor,
        title=title,
        symptoms=symptoms,
        workaround=workaround,
        root_cause=root_cause,
        service=service,
        problem=problem,
    )
    return _saved(current, actor)


@transaction.atomic
def known_error_close(
    known: KnownError,
    *,
    actor: Person,
    state: KnownErrorState = KnownErrorState.FIXED,
    note: str = "",
    version: int | None = None,
) -> KnownError:
    """Fixed (the root cause is gone) or retired (no longer relevant): no longer suggested."""
    _require_staff(actor, "close known errors")
    if state not in CLOSED_KNOWN_ERROR_STATES:
        raise _refuse(
            KnowledgeErrorCode.INVALID_VALUE, "Close a known error as fixed or retired.", "state"
        )
    current = _locked_known_error(known, version)
    if not current.is_open:
        raise _refuse(
            KnowledgeErrorCode.ILLEGAL_TRANSITION,
            f"{current.reference} is already {current.get_state_display().lower()}.",
        )
    current.state = state
    current.close_note = _text(note, "note", "Note", max_length=LONG_TEXT_MAX)
    current.closed_at = timezone.now()
    return _saved(current, actor)
