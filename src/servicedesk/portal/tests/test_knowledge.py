"""The knowledge base in the portal: browse, search, read, "did this help?"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org
from servicedesk.knowledge.models import Article, ArticleFeedback
from servicedesk.knowledge.services import article_create, article_publish, article_retire

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def publish(org: Org, title: str, body: str = "Steps.", **fields: object) -> Article:
    draft = article_create(actor=org.desk, title=title, body=body, **fields)  # type: ignore[arg-type]
    return article_publish(draft, actor=org.desk)


@pytest.fixture
def vpn(org: Org) -> Article:
    category = Category.objects.create(number=2, name="Security access")
    return publish(
        org,
        "Reset your VPN password",
        "Open https://reset.example.org and choose a new password.\n\nThen reconnect.",
        summary="Forgot it or it expired? Reset it yourself.",
        category=category,
        service=org.service,
    )


def test_search_from_the_portal_finds_published_articles_only(
    employee_client: Client, org: Org, vpn: Article
) -> None:
    publish(org, "Map a network printer", "Ask for the printer password.")
    article_create(actor=org.desk, title="VPN password draft", body="Secret plans")
    page = employee_client.get(reverse("portal:kb"), {"q": "vpn password"}).content.decode()
    assert "Reset your VPN password" in page
    assert "Map a network printer" not in page
    assert "VPN password draft" not in page


def test_browsing_by_category_and_service_shows_counts(
    employee_client: Client, org: Org, vpn: Article
) -> None:
    article_create(actor=org.desk, title="Unpublished", category=vpn.category)
    home = employee_client.get(reverse("portal:kb")).content.decode()
    assert "Security access" in home and ">1<span" in home.replace(" ", "")
    listing = employee_client.get(reverse("portal:kb"), {"category": str(vpn.category_id)})
    assert "Reset your VPN password" in listing.content.decode()
    by_service = employee_client.get(reverse("portal:kb"), {"service": org.service.pk})
    assert "Reset your VPN password" in by_service.content.decode()


def test_the_portal_home_has_the_knowledge_base_search(employee_client: Client) -> None:
    page = employee_client.get(reverse("portal:home")).content.decode()
    assert f'action="{reverse("portal:kb")}"' in page
    assert "Search the knowledge base" in page


def test_an_article_page_links_addresses_and_escapes_what_authors_typed(
    employee_client: Client, org: Org
) -> None:
    article = publish(org, f"Title {XSS}", f"Body {XSS}\nSee https://help.example.org/vpn")
    page = employee_client.get(reverse("portal:kb_article", args=[article.pk])).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert 'href="https://help.example.org/vpn"' in page


def test_drafts_and_retired_articles_are_404_for_employees(
    employee_client: Client, org: Org, vpn: Article
) -> None:
    draft = article_create(actor=org.desk, title="Draft", body="x")
    article_retire(vpn, actor=org.desk)
    for article in (draft, vpn):
        url = reverse("portal:kb_article", args=[article.pk])
        assert employee_client.get(url).status_code == 404
        answer = employee_client.post(reverse("portal:kb_feedback", args=[article.pk]), {})
        assert answer.status_code == 404
    assert employee_client.get(reverse("portal:kb_article", args=[99999])).status_code == 404


def test_staff_can_preview_a_draft_in_the_portal(client: Client, org: Org) -> None:
    draft = article_create(actor=org.desk, title="Draft", body="x")
    client.force_login(org.network)
    page = client.get(reverse("portal:kb_article", args=[draft.pk])).content.decode()
    assert "Preview" in page and "employees cannot see it" in page


def test_did_this_help_one_answer_per_person_which_can_change(
    employee_client: Client, org: Org, vpn: Article
) -> None:
    url = reverse("portal:kb_feedback", args=[vpn.pk])
    no = employee_client.post(url, {"helpful": "no"}, headers={"HX-Request": "true"})
    panel = no.content.decode()
    assert no.status_code == 200 and "did not help" in panel
    assert "File an incident" in panel
    assert "short_description=Still+need+help%3A+Reset+your+VPN+password" in panel
    employee_client.post(url, {"helpful": "no", "comment": "The link is dead"})
    yes = employee_client.post(url, {"helpful": "yes"}, headers={"HX-Request": "true"})
    assert "You said this helped" in yes.content.decode()
    answer = ArticleFeedback.objects.get()
    assert answer.helpful and answer.person == org.employee


def test_an_answer_must_be_yes_or_no(employee_client: Client, vpn: Article) -> None:
    url = reverse("portal:kb_feedback", args=[vpn.pk])
    refused = employee_client.post(url, {"helpful": "maybe"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "Choose Yes or No" in refused.content.decode()
    assert not ArticleFeedback.objects.exists()


def test_file_an_incident_after_a_no_starts_with_the_short_description(
    employee_client: Client,
) -> None:
    url = reverse("portal:new", args=["incident"])
    page = employee_client.get(url, {"short_description": "Still need help: <VPN>"})
    assert 'value="Still need help: &lt;VPN&gt;"' in page.content.decode()


def test_a_search_without_results_says_so_and_offers_to_file(
    employee_client: Client, vpn: Article
) -> None:
    page = employee_client.get(reverse("portal:kb"), {"q": "coffee machine"}).content.decode()
    assert "No article matches" in page and "Reset your VPN password" not in page
    assert reverse("portal:new", args=["incident"]) in page
