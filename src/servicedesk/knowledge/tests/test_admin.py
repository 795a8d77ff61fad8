"""The admin shows articles read-only: an article's versions and search words are the services'
to write, so the admin neither adds, changes nor deletes one."""

from __future__ import annotations

from django.test import Client

from servicedesk.knowledge.models import Article
from servicedesk.knowledge.tests.conftest import MakeArticle


def test_the_admin_lists_and_shows_an_article_but_never_deletes_it(
    admin_client: Client, make_article: MakeArticle
) -> None:
    article = make_article("Reset a forgotten password")
    listing = admin_client.get("/admin/knowledge/article/").content.decode()
    assert "Reset a forgotten password" in listing
    assert "Add article" not in listing and "Delete selected" not in listing
    detail = admin_client.get(f"/admin/knowledge/article/{article.pk}/change/").content.decode()
    assert "Reset a forgotten password" in detail and "Delete" not in detail
    assert admin_client.post(f"/admin/knowledge/article/{article.pk}/delete/").status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()
