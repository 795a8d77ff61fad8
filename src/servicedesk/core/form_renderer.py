"""The forms' renderer: Django's own, with drop-down lists written in Python.

Django renders each `<option>` of a `<select>` through two template includes; an agent's ticket
page has some 270 options (people, groups, services, codes), and those includes cost about a
third of the page's time at a million tickets (profiled). `SelectRenderer` writes the same HTML
as Django's `select.html`, `select_option.html` and `attrs.html` for those templates, escaped
the same way, and hands every other template, and any select whose options use another
template, to Django's renderer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As `attrs.html`: ` name="value"` each, a bare name for True, nothing for False."""
    written = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            written.append(f" {conditional_escape(name)}")
        else:
            written.append(f' {conditional_escape(name)}="{escape(f"{value}")}"')
    return "".join(written)


def _option(option: Mapping[str, Any]) -> str:
    value = escape(f"{option['value']}")
    label = conditional_escape(option["label"])
    # Django's option template ends in a line break, kept here to give the same HTML.
    return f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n'


def _select(widget: Mapping[str, Any]) -> SafeString | None:
    """The select's HTML, or None when an option asks for another template."""
    groups: Iterable[tuple[Any, list[Mapping[str, Any]], int]] = widget["optgroups"]
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            parts.append(_option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # Django strips what a template renders
    return mark_safe("".join(parts))  # every piece above is escaped


class SelectRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT_TEMPLATE:
            written = _select(context["widget"])
            if written is not None:
                return written
        return super().render(template_name, context, request)
