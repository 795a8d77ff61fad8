"""The forms' renderer: Django's own, with drop-down lists, inputs, text areas, radio buttons,
check boxes and file inputs written in Python.

Django renders each `<option>` of a `<select>` through two template includes; an agent's ticket
page has some 270 options (people, groups, services, codes), and those includes cost about a
third of the page's time at a million tickets (profiled). `SelectRenderer` writes the same HTML
as Django's `select.html`, `select_option.html` and `attrs.html` for those templates, escaped
the same way, and hands every other template, and any select whose options use another
template, to Django's renderer. Inputs and text areas (the triage form's reason, the reply box)
are written the same way: each was two includes too; so are radio buttons and check boxes (three
includes an option) and an upload's file input. Values are escaped as Django's `escape` and
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
# Radio buttons and check boxes: each option three includes deep in Django's templates.
MULTIPLE_INPUT_TEMPLATES = frozenset(
    {"django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html"}
)
INPUT_OPTION_TEMPLATES = frozenset(
    {"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"}
)
FILE_INPUT_TEMPLATE = "django/forms/widgets/clearable_file_input.html"
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


def _input_option(option: Mapping[str, Any]) -> str:
    """As `radio_option.html` and `checkbox_option.html`, with the line breaks their includes
    leave."""
    written = f"{_input(option)}\n"
    if not option["wrap_label"]:
        return f"{written}\n\n"
    id_ = option["attrs"].get("id")
    labelled = f' for="{escaped(id_)}"' if id_ else ""
    return f"<label{labelled}>{written} {escaped(option['label'])}</label>\n\n"


def _multiple_input(widget: Mapping[str, Any]) -> SafeString | None:
    """As `multiple_input.html`, or None when an option asks for another template."""
    attrs = widget["attrs"]
    id_, css = attrs.get("id"), attrs.get("class")
    parts = [
        "<div",
        f' id="{escaped(id_)}"' if id_ else "",
        f' class="{escaped(css)}"' if css else "",
        ">",
    ]
    groups: Iterable[tuple[Any, list[Mapping[str, Any]], int]] = widget["optgroups"]
    for group_name, options, _index in groups:
        if group_name:
            parts.append(f"\n  <div><label>{escaped(group_name)}</label>")
        for option in options:
            if option.get("template_name") not in INPUT_OPTION_TEMPLATES:
                return None
            parts.append(f"<div>\n    {_input_option(option)}</div>")
        if group_name:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return mark_safe("".join(parts))  # every piece above is escaped


def _file_input(widget: Mapping[str, Any]) -> SafeString | None:
    """As `clearable_file_input.html` for a field with no file yet (a form's upload), else
    None: a file already there is shown with its link, by Django."""
    if widget["is_initial"]:
        return None
    name, kind = escaped(widget["name"]), escaped(widget["type"])
    return mark_safe(f'<input type="{kind}" name="{name}"{_attrs(widget["attrs"])}>')


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
        written = None
        if template_name in MULTIPLE_INPUT_TEMPLATES:
            written = _multiple_input(context["widget"])
        elif template_name == FILE_INPUT_TEMPLATE:
            written = _file_input(context["widget"])
        if written is not None:
            return written
        return super().render(template_name, context, request)
