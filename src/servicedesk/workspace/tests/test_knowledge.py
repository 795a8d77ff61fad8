"""The workspace's knowledge pages: authoring, two authors at once, known errors, diagnosis."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.knowledge.models import Article, KnownError
from servicedesk.knowledge.services import (
    article_create,
    article_feedback_record,
    article_publish,
    known_error_record,
)
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import problem_open_from, ticket_create


def staff(client: Client, org: Org) -> Client:
    client.force_login(org.desk)
    return client


def article_form(**changes: str) -> dict[str, str]:
    return {
        "title": "Reset your VPN password",
        "summary": "",
        "body": "Open the reset page.",
        "keywords": "vpn",
        "category": "",
        "service": "",
        **changes,
    }


def test_the_knowledge_pages_are_404_for_employees(client: Client, org: Org) -> None:
    client.force_login(org.employee)
    for name in ("workspace:kb", "workspace:kb_new", "workspace:kb_known_errors"):
        assert client.get(reverse(name)).status_code == 404


def test_an_agent_writes_a_draft_then_publishes_it(client: Client, org: Org) -> None:
    staff(client, org)
    saved = client.post(reverse("workspace:kb_new"), article_form())
    article = Article.objects.get()
    assert saved.status_code == 302 and article.state == ArticleState.DRAFT
    client.post(reverse("workspace:kb_publish", args=[article.pk]), {"version": "1"})
    article.refresh_from_db()
    assert article.state == ArticleState.PUBLISHED
    listing = client.get(reverse("workspace:kb"), {"state": "published"}).content.decode()
    assert "Reset your VPN password" in listing
    drafts = client.get(reverse("workspace:kb"), {"state": "draft"}).content.decode()
    assert "Reset your VPN password" not in drafts


def test_a_missing_title_is_shown_next_to_the_field_and_the_body_kept(
    client: Client, org: Org
) -> None:
    staff(client, org)
    refused = client.post(reverse("workspace:kb_new"), article_form(title=""))
    page = refused.content.decode()
    assert refused.status_code == 400 and 'data-testid="error-title"' in page
    assert "Open the reset page." in page
    assert not Article.objects.exists()


def test_a_save_based_on_an_old_version_is_refused_showing_both_texts(
    client: Client, org: Org
) -> None:
    article = article_create(actor=org.network, title="VPN", body="Old steps.")
    staff(client, org)
    url = reverse("workspace:kb_edit", args=[article.pk])
    client.post(url, article_form(title="VPN", body="Network's steps.", version="1"))
    stale = client.post(url, article_form(title="VPN", body="Desk's steps.", version="1"))
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "Someone else saved this" in page
    assert "Network&#x27;s steps." in page and "Desk&#x27;s steps." in page
    assert 'name="version" value="2"' in page
    article.refresh_from_db()
    assert article.body == "Network's steps."


def test_retire_and_feedback_counts_on_the_edit_page(client: Client, org: Org) -> None:
    article = article_publish(article_create(actor=org.desk, title="VPN", body="x"), actor=org.desk)
    article_feedback_record(article, actor=org.employee, helpful=False, comment="Outdated")
    article_feedback_record(article, actor=org.colleague, helpful=True)
    staff(client, org)
    page = client.get(reverse("workspace:kb_edit", args=[article.pk])).content.decode()
    assert "<strong>1</strong> yes · <strong>1</strong> no" in page and "Outdated" in page
    client.post(reverse("workspace:kb_retire", args=[article.pk]), {"version": "2"})
    article.refresh_from_db()
    assert article.state == ArticleState.RETIRED


def test_a_known_error_recorded_from_a_problem_starts_from_it(client: Client, org: Org) -> None:
    incident = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="VPN drops hourly",
        service=org.service,
    )
    problem = problem_open_from(
        incident, actor=org.desk, short_description="VPN concentrator drops sessions"
    )
    staff(client, org)
    ticket_page = client.get(reverse("workspace:ticket", args=[problem.number])).content.decode()
    assert "Record known error" in ticket_page
    form = client.get(reverse("workspace:kb_known_error_new"), {"problem": problem.number})
    assert 'value="VPN concentrator drops sessions"' in form.content.decode()
    client.post(
        reverse("workspace:kb_known_error_new"),
        {
            "title": "VPN drops every hour",
            "symptoms": "Disconnected after an hour",
            "workaround": "Reconnect the VPN client",
            "root_cause": "",
            "service": "",
            "problem": problem.number,
        },
    )
    known = KnownError.objects.get()
    assert known.problem == problem and known.service == org.service


def test_the_diagnosis_panel_suggests_known_errors_and_articles(client: Client, org: Org) -> None:
    known_error_record(
        actor=org.desk,
        title="VPN disconnects after 60 minutes",
        symptoms="Dropped",
        workaround="Reconnect <b>now</b>",
    )
    article_publish(
        article_create(actor=org.desk, title="Reset your VPN password", body="Steps"),
        actor=org.desk,
    )
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="VPN disconnects, and my VPN password expired",
    )
    staff(client, org)
    panel = client.get(reverse("workspace:kb_diagnosis", args=[ticket.number])).content.decode()
    assert "VPN disconnects after 60 minutes" in panel
    assert "Reconnect &lt;b&gt;now&lt;/b&gt;" in panel
    assert "Reset your VPN password" in panel and "Send as reply" in panel
    client.force_login(org.employee)
    assert client.get(reverse("workspace:kb_diagnosis", args=[ticket.number])).status_code == 404


def test_closing_a_known_error_stops_its_suggestion(client: Client, org: Org) -> None:
    known = known_error_record(actor=org.desk, title="Slow VPN", symptoms="s", workaround="w")
    staff(client, org)
    client.post(
        reverse("workspace:kb_known_error_close", args=[known.pk]),
        {"state": "fixed", "note": "Patched", "version": "1"},
    )
    known.refresh_from_db()
    assert known.state == KnownErrorState.FIXED and known.close_note == "Patched"
    open_list = client.get(reverse("workspace:kb_known_errors")).content.decode()
    assert "Slow VPN" not in open_list
    fixed = client.get(reverse("workspace:kb_known_errors"), {"state": "fixed"}).content.decode()
    assert "Slow VPN" in fixed
