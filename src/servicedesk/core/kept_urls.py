"""`{% url %}` as Django's, with each address it reverses kept for the process.

Reversing a view's name costs some 120 µs on the benchmark machine (the resolver walks its
namespaces and patterns, then quotes and joins the parts), and a page reverses the same few
dozen names on every view: the nav's links alone are a dozen on every page of the workspace,
the agent's ticket page some forty. The addresses only change when the URL configuration or the
prefix the site is served under does, so each is kept under those, up to `KEPT` of them. (They
would change with the language too if the patterns were translated, `i18n_patterns`; ours are
not.)

Registered as a template builtin (`config/settings.py`), it takes the place of Django's `url`
tag in every template, parsed by Django's own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.template import Context
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

# Addresses kept per process: the nav's and pages' fixed links, and those of recent tickets.
KEPT = 4096
# The values an address is kept for: those whose equality means the same address (a name or a
# quoted value in a template is a SafeString).
_KEYS = frozenset({str, SafeString, int})


@lru_cache(maxsize=KEPT)
def _kept(
    urlconf: str,
    prefix: str,
    name: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
    current_app: str | None,
) -> str:
    del prefix  # part of the key only: reverse reads it itself
    return reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def kept_reverse(
    name: str, args: Sequence[Any], kwargs: dict[str, Any], current_app: str | None
) -> str:
    """`reverse`, kept when every value is a string or a number (an object's address part could
    change while it stays equal, a model's name for one); a failure (NoReverseMatch) is never
    kept."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    if not all(type(value) in _KEYS for value in (name, *args, *kwargs.values())):
        return reverse(name, urlconf=urlconf, args=args, kwargs=kwargs, current_app=current_app)
    keyed = tuple(sorted(kwargs.items()))
    return _kept(urlconf, get_script_prefix(), name, tuple(args), keyed, current_app)


class KeptURLNode(URLNode):
    def render(self, context: Context) -> str:
        name = self.view_name.resolve(context)
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {key: value.resolve(context) for key, value in self.kwargs.items()}
        try:
            address = kept_reverse(name, args, kwargs, _current_app(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            address = ""
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


def _current_app(context: Context) -> str | None:
    """The application namespace Django's tag reverses in: the request's, or its view's."""
    request = getattr(context, "request", None)
    if request is None:
        return None
    if hasattr(request, "current_app"):
        return request.current_app  # type: ignore[no-any-return]
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    parsed = django_url(parser, token)
    return KeptURLNode(parsed.view_name, parsed.args, parsed.kwargs, parsed.asvar)
