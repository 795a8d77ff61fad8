"""The forms' renderer: Django's own, with drop-down lists, inputs and text areas written in
Python.

Django renders each `<option>` of a `<select>` through two template includes; an agent's ticket
page has some 270 options (people, groups, services, codes), and those includes cost about a
third of the page's time at a million tickets (profiled). `SelectRenderer` writes the same HTML
as Django's `select.html`, `select_option.html` and `attrs.html` for those templates, escaped
the same way, and hands every other template, and any select whose options use another
template, to Django's renderer. Inputs and text areas (the triage form's reason, the reply box)
are written the same way: each was two includes too. Values are escaped as Django's `escape` and
`conditional_escape` escape them, without their checks for lazy strings (`core.markup`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from servicedesk.core.markup import escaped

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# Django's templates of these inputs are each one include of `input.html`.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("text", "number", "email", "url", "password", "hidden"),
        *("date", "datetime", "time", "search", "tel", "color"),
    )
)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As `attrs.html`: ` name="value"` each, a bare name for True, nothing for False."""
    written = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            written.append(f" {escaped(name)}")
        else:
            written.append(f' {escaped(name)}="{escape(f"{value}")}"')
    return "".join(written)


def _option(option: Mapping[str, Any]) -> str:
    value = escape(f"{option['value']}")
    label = escaped(option["label"])
    # Django's option template ends in a line break, kept here to give the same HTML.
    return f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n'


def _select(widget: Mapping[str, Any]) -> SafeString | None:
    """The select's HTML, or None when an option asks for another template."""
    groups: Iterable[tuple[Any, list[Mapping[str, Any]], int]] = widget["optgroups"]
    parts = [f'<select name="{escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            parts.append(_option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # Django strips what a template renders
    return mark_safe("".join(parts))  # every piece above is escaped


def _input(widget: Mapping[str, Any]) -> SafeString:
    """As `input.html`."""
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(f"{value}")}"'
    name = escaped(widget["name"])
    kind = escaped(widget["type"])
    return mark_safe(f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>')


def _textarea(widget: Mapping[str, Any]) -> SafeString:
    """As `textarea.html`: the value after a line break (which browsers drop)."""
    value = escaped(widget["value"]) if widget["value"] else ""
    name = escaped(widget["name"])
    return mark_safe(f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>')


class SelectRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT_TEMPLATE:
            written = _select(context["widget"])
            if written is not None:
                return written
        if template_name in INPUT_TEMPLATES:
            return _input(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return _textarea(context["widget"])
        return super().render(template_name, context, request)
