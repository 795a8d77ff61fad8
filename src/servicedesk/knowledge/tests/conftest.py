"""Articles and known errors for the knowledge tests, made through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from servicedesk.conftest import Org
from servicedesk.knowledge.models import Article
from servicedesk.knowledge.services import article_create, article_publish

MakeArticle = Callable[..., Article]


@pytest.fixture
def make_article(org: Org) -> MakeArticle:
    def make(title: str, body: str = "", *, publish: bool = True, **fields: Any) -> Article:
        article = article_create(
            actor=org.desk, title=title, body=body or f"How to: {title}.", **fields
        )
        return article_publish(article, actor=org.desk) if publish else article

    return make
