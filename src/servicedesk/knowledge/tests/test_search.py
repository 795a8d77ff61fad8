"""Searching the knowledge base: what an employee typing in the search box would notice."""

from __future__ import annotations

import pytest

from servicedesk.conftest import Org
from servicedesk.knowledge.choices import ArticleState
from servicedesk.knowledge.search import document_of, terms_of
from servicedesk.knowledge.selectors import articles_matching, articles_search
from servicedesk.knowledge.services import article_retire
from servicedesk.knowledge.tests.conftest import MakeArticle


def test_words_are_stored_lower_case_with_hyphenated_words_also_joined() -> None:
    assert document_of("Wi-Fi on the 3rd Floor") == " wi fi wifi on the 3rd floor "


def test_query_terms_drop_filler_and_light_endings() -> None:
    assert terms_of("My VPN passwords are not working!") == ["vpn", "password"]
    assert terms_of("mapping printers") == ["mapp", "printer"]


@pytest.fixture
def library(make_article: MakeArticle) -> None:
    make_article(
        "Reset your VPN password",
        "Open the self-service page and choose a new password. Then reconnect the VPN client.",
        keywords="remote access, GlobalProtect",
    )
    make_article(
        "Map a network printer",
        "Open Settings, Printers, Add a printer. Ask the desk for the printer's password if any.",
    )
    make_article("Connect to the VPN from home", "Start GlobalProtect and sign in.")


def test_vpn_password_finds_the_vpn_article_and_not_the_printer_one(
    org: Org, library: None
) -> None:
    found = [a.title for a in articles_search("vpn password", viewer=org.employee)]
    assert found == ["Reset your VPN password"]


def test_results_are_ranked_with_title_words_first(org: Org, library: None) -> None:
    found = [a.title for a in articles_search("vpn", viewer=org.employee)]
    assert found[0] in {"Reset your VPN password", "Connect to the VPN from home"}
    assert set(found) == {"Reset your VPN password", "Connect to the VPN from home"}
    # "password" is in the VPN article's title, only in the printer article's body.
    ranked = [a.title for a in articles_search("password", viewer=org.employee)]
    assert ranked == ["Reset your VPN password", "Map a network printer"]


def test_a_word_only_matches_at_the_start_of_a_word(org: Org, make_article: MakeArticle) -> None:
    make_article("Printer jams", "Open the tray and remove the paper.")
    assert articles_search("ray", viewer=org.employee) == []
    assert [a.title for a in articles_search("printing", viewer=org.employee)] == ["Printer jams"]


def test_keywords_find_an_article(org: Org, library: None) -> None:
    found = [a.title for a in articles_search("globalprotect", viewer=org.employee)]
    assert "Reset your VPN password" in found


def test_employees_never_find_drafts_or_retired_articles(
    org: Org, make_article: MakeArticle
) -> None:
    make_article("VPN draft", publish=False)
    retired = make_article("VPN retired")
    article_retire(retired, actor=org.desk)
    make_article("VPN live")
    assert [a.title for a in articles_search("vpn", viewer=org.employee)] == ["VPN live"]
    staff_sees = {a.title for a in articles_search("vpn", viewer=org.desk)}
    assert staff_sees == {"VPN draft", "VPN retired", "VPN live"}
    drafts = articles_search("vpn", viewer=org.desk, state=ArticleState.DRAFT)
    assert [a.title for a in drafts] == ["VPN draft"]
    # A requester asking for drafts still gets published ones only.
    assert [
        a.title for a in articles_search("vpn", viewer=org.employee, state=ArticleState.DRAFT)
    ] == ["VPN live"]


def test_matching_while_typing_needs_three_characters_and_published_articles(
    org: Org, library: None, make_article: MakeArticle
) -> None:
    make_article("VPN password draft", publish=False)
    assert articles_matching("vp") == []
    typed = articles_matching("my vpn password expired this morning")
    assert typed[0].title == "Reset your VPN password"
    assert "VPN password draft" not in [a.title for a in typed]
    assert articles_matching("the coffee machine is broken") == []


def test_one_common_word_in_a_title_is_not_a_match_for_a_sentence(
    org: Org, make_article: MakeArticle
) -> None:
    make_article("Fix a second monitor that flickers or shows no signal")
    make_article("Licensing application: clear the checkout cache")
    typed = articles_matching("Licensing application shows error 500 at checkout")
    assert [article.title for article in typed] == [
        "Licensing application: clear the checkout cache"
    ]


def test_matching_respects_its_limit(org: Org, make_article: MakeArticle) -> None:
    for n in range(4):
        make_article(f"VPN tip {n}")
    assert len(articles_matching("vpn tips", limit=2)) == 2
