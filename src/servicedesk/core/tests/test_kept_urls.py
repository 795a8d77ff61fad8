"""`{% url %}` in every template gives Django's addresses, kept, and the right ones when what
they depend on changes."""

import pytest
from django.http import HttpResponse
from django.template import Engine, engines
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from servicedesk.core.kept_urls import KeptURLNode, _kept


def _page(request: object) -> HttpResponse:
    return HttpResponse()


# This module as a URL configuration of its own: the same name at another address.
urlpatterns = [
    path("elsewhere/", include(([path("<str:number>/", _page, name="ticket")], "workspace")))
]


def _render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


def test_every_template_gets_the_kept_tag_with_djangos_addresses() -> None:
    template = Engine.get_default().from_string("{% url 'workspace:home' %}")
    assert isinstance(template.nodelist[0], KeptURLNode)
    kept_before = _kept.cache_info().hits
    for _ in range(2):  # reversed, then kept
        assert _render("{% url 'workspace:home' %}") == reverse("workspace:home")
        assert _render("{% url 'workspace:ticket' n %}", n="INC0000001") == reverse(
            "workspace:ticket", args=["INC0000001"]
        )
        assert _render("{% url 'workspace:ticket' number=n %}", n="REQ7") == (
            "/workspace/tickets/REQ7/"
        )
        assert _render("{% url 'workspace:ticket' n as link %}[{{ link }}]", n="X1") == (
            "[/workspace/tickets/X1/]"
        )
    assert _kept.cache_info().hits >= kept_before + 4  # the second time round, each was kept


def test_an_unknown_name_fails_as_djangos_tag_does_and_is_not_kept() -> None:
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            _render("{% url 'workspace:nowhere' %}")
        assert _render("{% url 'workspace:nowhere' as link %}[{{ link }}]") == "[]"


def test_an_address_follows_the_url_configuration_and_the_sites_prefix() -> None:
    assert _render("{% url 'workspace:ticket' 'A1' %}") == "/workspace/tickets/A1/"
    with override_settings(ROOT_URLCONF=__name__):
        assert _render("{% url 'workspace:ticket' 'A1' %}") == "/elsewhere/A1/"
    set_script_prefix("/desk/")
    try:
        assert _render("{% url 'workspace:ticket' 'A1' %}") == "/desk/workspace/tickets/A1/"
    finally:
        set_script_prefix("/")
    assert _render("{% url 'workspace:ticket' 'A1' %}") == "/workspace/tickets/A1/"


def test_what_an_address_is_made_of_is_escaped_in_the_page() -> None:
    assert _render("{% url 'workspace:ticket' n %}", n="a&b") == "/workspace/tickets/a&amp;b/"
