"""Knowledge articles and known errors as the API shows them (read-only)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import Id, Ref, Text
from servicedesk.knowledge.choices import ArticleState, KnownErrorState

Cursor = Annotated[str, Field(max_length=500)]


class ArticleOrdering(StrEnum):
    UPDATED = "updated_at"
    UPDATED_DESC = "-updated_at"
    TITLE = "title"
    TITLE_DESC = "-title"


class ArticleFilters(Schema):
    q: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Words that must all appear in the title, summary, keywords or body."
    )
    state: ArticleState | None = Field(
        None, description="Staff only; requesters always get published articles."
    )
    category: Id | None = None
    service: Id | None = None
    ordering: ArticleOrdering = ArticleOrdering.UPDATED_DESC
    cursor: Cursor | None = Field(None, description="`next_cursor` of the previous page; opaque.")
    limit: int = Field(25, ge=1, le=100)


class ArticleSummaryOut(Schema):
    id: int
    title: str
    summary: str
    keywords: list[str]
    state: ArticleState
    category: Ref | None
    service: Ref | None
    published_at: datetime | None
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_keywords(obj: Any) -> list[str]:
        return [word.strip() for word in obj.keywords.split(",") if word.strip()]


class ArticleOut(ArticleSummaryOut):
    body: str = Field(description="Plain text; blank lines separate paragraphs.")


class ArticlePage(Schema):
    items: list[ArticleSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class KnownErrorFilters(Schema):
    state: KnownErrorState | None = Field(
        None, description="Open, fixed or retired; any if absent."
    )
    q: Annotated[Text, Field(max_length=200)] | None = None
    service: Id | None = None
    cursor: Cursor | None = Field(None, description="`next_cursor` of the previous page; opaque.")
    limit: int = Field(25, ge=1, le=100)


class KnownErrorOut(Schema):
    id: int
    reference: str
    title: str
    symptoms: str
    root_cause: str
    workaround: str
    state: KnownErrorState
    service: Ref | None
    problem: str | None = Field(description="The problem ticket's number, if any.")
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_problem(obj: Any) -> str | None:
        return obj.problem.number if obj.problem else None


class KnownErrorPage(Schema):
    items: list[KnownErrorOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
