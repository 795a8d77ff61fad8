"""Writing the knowledge base: articles' lives, optimistic edits, feedback, known errors."""

from __future__ import annotations

import pytest

from servicedesk.catalog.models import Service
from servicedesk.conftest import Org
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.knowledge.errors import KnowledgeError, KnowledgeErrorCode, StaleKnowledgeError
from servicedesk.knowledge.models import Article, ArticleFeedback, KnownError
from servicedesk.knowledge.selectors import (
    feedback_summary,
    known_errors_suggested_for,
)
from servicedesk.knowledge.services import (
    article_create,
    article_feedback_record,
    article_publish,
    article_retire,
    article_update,
    known_error_close,
    known_error_record,
    known_error_update,
)
from servicedesk.knowledge.tests.conftest import MakeArticle
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services import problem_open_from, ticket_create


def _edit(article: Article, org: Org, version: int, title: str) -> Article:
    return article_update(
        article,
        actor=org.network,
        version=version,
        title=title,
        body=article.body,
        summary=article.summary,
        keywords=article.keywords,
        category=None,
        service=None,
    )


def test_an_article_is_a_draft_until_published_then_retired(org: Org) -> None:
    article = article_create(actor=org.desk, title="  Map a printer ", body="Settings, Printers")
    assert (article.state, article.title, article.version) == (
        ArticleState.DRAFT,
        "Map a printer",
        1,
    )
    published = article_publish(article, actor=org.desk, version=1)
    assert published.state == ArticleState.PUBLISHED and published.published_at is not None
    retired = article_retire(published, actor=org.lead)
    assert retired.state == ArticleState.RETIRED and retired.retired_at is not None
    assert retired.version == 3 and retired.updated_by == org.lead
    again = article_publish(retired, actor=org.desk)
    assert again.state == ArticleState.PUBLISHED and again.retired_at is None


def test_requesters_cannot_write_articles(org: Org) -> None:
    with pytest.raises(KnowledgeError) as refused:
        article_create(actor=org.employee, title="My tips", body="...")
    assert refused.value.code == KnowledgeErrorCode.NOT_PERMITTED
    assert not Article.objects.exists()


def test_a_title_is_required_and_a_body_before_publishing(org: Org) -> None:
    with pytest.raises(KnowledgeError) as refused:
        article_create(actor=org.desk, title="   ")
    assert (refused.value.code, refused.value.field) == (KnowledgeErrorCode.REQUIRED, "title")
    draft = article_create(actor=org.desk, title="Outline only")
    with pytest.raises(KnowledgeError) as no_body:
        article_publish(draft, actor=org.desk)
    assert no_body.value.field == "body"
    assert Article.objects.get().state == ArticleState.DRAFT


def test_an_edit_based_on_an_old_version_is_refused_and_changes_nothing(org: Org) -> None:
    article = article_create(actor=org.desk, title="VPN", body="Start the client.")
    _edit(article, org, version=1, title="VPN from home")
    with pytest.raises(StaleKnowledgeError) as stale:
        _edit(article, org, version=1, title="VPN at the office")
    assert stale.value.current_version == 2
    assert Article.objects.get().title == "VPN from home"


def test_editing_updates_the_search_words(org: Org) -> None:
    article = article_create(actor=org.desk, title="VPN", body="x", keywords="a, A , b")
    edited = _edit(article, org, version=1, title="Wi-Fi onboarding")
    assert "wifi" in edited.search_heading and "vpn" not in edited.search_heading
    assert edited.keywords == "a, b"


def test_one_feedback_per_person_which_they_can_change(org: Org, make_article: MakeArticle) -> None:
    article = make_article("Reset your VPN password")
    article_feedback_record(article, actor=org.employee, helpful=False, comment="Link broken")
    article_feedback_record(article, actor=org.employee, helpful=True)
    article_feedback_record(article, actor=org.colleague, helpful=False)
    assert ArticleFeedback.objects.filter(article=article).count() == 2
    summary = feedback_summary(article)
    assert (summary.helpful, summary.not_helpful) == (1, 1)


def test_drafts_take_no_feedback(org: Org, make_article: MakeArticle) -> None:
    draft = make_article("Draft", publish=False)
    with pytest.raises(KnowledgeError) as refused:
        article_feedback_record(draft, actor=org.employee, helpful=True)
    assert refused.value.code == KnowledgeErrorCode.NOT_PUBLISHED


def _incident(org: Org, text: str, service: Service | None = None) -> Ticket:
    return ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description=text, service=service
    )


def test_a_known_error_recorded_from_a_problem_notes_it_and_takes_its_service(org: Org) -> None:
    incident = _incident(org, "VPN drops every hour", service=org.service)
    problem = problem_open_from(incident, actor=org.desk, short_description="VPN drops")
    known = known_error_record(
        actor=org.network,
        title="VPN disconnects after 60 minutes",
        symptoms="The VPN client drops the connection every hour.",
        workaround="Reconnect; set the client to reconnect automatically.",
        problem=problem,
    )
    assert known.service == org.service and known.state == KnownErrorState.OPEN
    note = Comment.objects.get(ticket=problem)
    assert note.is_internal and known.reference in note.body and "Reconnect" in note.body


def test_only_problems_can_back_a_known_error(org: Org) -> None:
    incident = _incident(org, "Printer offline")
    with pytest.raises(KnowledgeError) as refused:
        known_error_record(
            actor=org.desk, title="x", symptoms="y", workaround="z", problem=incident
        )
    assert refused.value.field == "problem"
    assert not KnownError.objects.exists()


def test_known_errors_are_suggested_by_words_and_service_until_closed(org: Org) -> None:
    vpn = known_error_record(
        actor=org.desk,
        title="VPN disconnects after 60 minutes",
        symptoms="Connection drops every hour",
        workaround="Reconnect",
    )
    on_service = known_error_record(
        actor=org.desk,
        title="Slow Wi-Fi on the 3rd floor",
        symptoms="Pages load slowly",
        workaround="Use the wired port",
        service=org.service,
    )
    known_error_record(
        actor=org.desk, title="Printer jams", symptoms="Paper jam", workaround="Use tray 2"
    )
    ticket = _incident(org, "My VPN disconnects all the time")
    assert known_errors_suggested_for(ticket) == [vpn]
    ticket_on_service = _incident(org, "VPN disconnects", service=org.service)
    # Words in the title outweigh the service alone; both are suggested.
    assert known_errors_suggested_for(ticket_on_service) == [vpn, on_service]
    known_error_close(vpn, actor=org.desk, state=KnownErrorState.FIXED, note="Patched")
    assert known_errors_suggested_for(ticket) == []


def test_known_error_edits_check_the_version_and_close_once(org: Org) -> None:
    known = known_error_record(actor=org.desk, title="A", symptoms="B", workaround="C")
    values = {"title": "A2", "symptoms": "B", "workaround": "C2", "root_cause": ""}
    known_error_update(known, actor=org.desk, version=1, service=None, problem=None, **values)
    with pytest.raises(StaleKnowledgeError):
        known_error_update(known, actor=org.desk, version=1, service=None, problem=None, **values)
    closed = known_error_close(known, actor=org.desk, state=KnownErrorState.RETIRED)
    assert closed.state == KnownErrorState.RETIRED and closed.closed_at is not None
    with pytest.raises(KnowledgeError) as twice:
        known_error_close(closed, actor=org.desk)
    assert twice.value.code == KnowledgeErrorCode.ILLEGAL_TRANSITION
    with pytest.raises(KnowledgeError):
        known_error_record(actor=org.employee, title="A", symptoms="B", workaround="C")
