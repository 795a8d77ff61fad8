"""Text PostgreSQL refuses never reaches it, whichever way it came in (mail, forms, API, admin).

Two gates, both built on `core.text.postgres_safe`:
- `clean_before_save`, connected to every model's `pre_save`: the NUL character is removed and a
  lone surrogate becomes U+FFFD in every character, text and JSON field, so a write never fails
  with a database error for what someone typed or mailed.
- `PostgresSafeInputMiddleware`: the same for query strings, form fields and JSON bodies before
  a view reads them, so a search or a filter with a NUL in it finds nothing instead of failing.
Mail is cleaned while it is parsed (`mail.decoding`), before anything looks it up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponseBase, QueryDict

from servicedesk.core.text import POSTGRES_REFUSED, postgres_safe, postgres_safe_data

Handler = Callable[[HttpRequest], HttpResponseBase]
# A JSON "\u0000" escape (any case), not one whose backslash is itself escaped ("\\u0000").
_JSON_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def clean_before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and POSTGRES_REFUSED.search(value):
                setattr(instance, field.attname, postgres_safe(value))
        elif isinstance(field, models.JSONField):
            value = getattr(instance, field.attname)
            if value is not None:
                setattr(instance, field.attname, postgres_safe_data(value))


def _cleaned(query: QueryDict) -> Any:
    """A cleaned copy when anything in it needs cleaning, else None (the common case)."""
    if not any(POSTGRES_REFUSED.search(key + "".join(query.getlist(key))) for key in query):
        return None
    copy = QueryDict(mutable=True, encoding=query.encoding)
    for key in query:
        copy.setlist(postgres_safe(key), [postgres_safe(value) for value in query.getlist(key)])
    copy._mutable = False
    return copy  # immutable again, as Django hands it to views


class PostgresSafeInputMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        query = _cleaned(request.GET)
        if query is not None:
            request.GET = query
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in _FORM_TYPES:
            form = _cleaned(request.POST)
            if form is not None:
                request.POST = form
        elif content_type.endswith("json") and request.method in ("POST", "PUT", "PATCH"):
            body = request.body
            if b"\\u0000" in body.lower():
                request._body = _JSON_NUL.sub(rb"\1", body)
        return self.get_response(request)
