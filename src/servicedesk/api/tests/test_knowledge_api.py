"""`/articles` and `/known-errors`: what requesters and staff get, paging, the error shape."""

from __future__ import annotations

from collections.abc import Callable

from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.knowledge.models import Article
from servicedesk.knowledge.services import (
    article_create,
    article_publish,
    known_error_close,
    known_error_record,
)

ApiAs = Callable[[Person], ApiClient]


def published(org: Org, title: str, body: str = "Steps.") -> Article:
    return article_publish(article_create(actor=org.desk, title=title, body=body), actor=org.desk)


def test_requesters_get_published_articles_only(api_as: ApiAs, org: Org) -> None:
    live = published(org, "Reset your VPN password")
    draft = article_create(actor=org.desk, title="VPN draft", body="x")
    employee = api_as(org.employee)
    listing = employee.get("/articles").json()
    assert [item["title"] for item in listing["items"]] == ["Reset your VPN password"]
    assert employee.get(f"/articles/{live.pk}").json()["body"] == "Steps."
    missing = employee.get(f"/articles/{draft.pk}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    # Asking for drafts does not reveal them.
    assert employee.get("/articles", state="draft").json()["items"][0]["id"] == live.pk


def test_staff_filter_by_state(api_as: ApiAs, org: Org) -> None:
    published(org, "Live")
    article_create(actor=org.desk, title="Draft", body="x")
    desk = api_as(org.desk)
    assert len(desk.get("/articles").json()["items"]) == 2
    drafts = desk.get("/articles", state="draft").json()["items"]
    assert [item["title"] for item in drafts] == ["Draft"]


def test_q_keeps_articles_with_every_word(api_as: ApiAs, org: Org) -> None:
    published(org, "Reset your VPN password")
    published(org, "Map a printer", "Ask for the printer password.")
    found = api_as(org.employee).get("/articles", q="vpn password").json()["items"]
    assert [item["title"] for item in found] == ["Reset your VPN password"]


def test_articles_are_paged_with_a_cursor(api_as: ApiAs, org: Org) -> None:
    for n in range(5):
        published(org, f"Article {n}")
    employee = api_as(org.employee)
    first = employee.get("/articles", limit=3, ordering="title").json()
    second = employee.get(
        "/articles", limit=3, ordering="title", cursor=first["next_cursor"]
    ).json()
    titles = [item["title"] for item in first["items"] + second["items"]]
    assert titles == [f"Article {n}" for n in range(5)] and second["next_cursor"] is None
    bad = employee.get("/articles", cursor="nonsense")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    unknown = employee.get("/articles", search="vpn")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_parameter"


def test_known_errors_are_for_staff_only(api_as: ApiAs, org: Org) -> None:
    known_error_record(actor=org.desk, title="VPN drops", symptoms="s", workaround="Reconnect")
    closed = known_error_record(actor=org.desk, title="Old", symptoms="s", workaround="w")
    known_error_close(closed, actor=org.desk)
    refused = api_as(org.employee).get("/known-errors")
    assert refused.status_code == 403
    assert set(refused.json()) == {"code", "message", "field"}
    desk = api_as(org.desk)
    assert len(desk.get("/known-errors").json()["items"]) == 2
    open_only = desk.get("/known-errors", state="open").json()["items"]
    assert [(item["title"], item["workaround"]) for item in open_only] == [
        ("VPN drops", "Reconnect")
    ]
