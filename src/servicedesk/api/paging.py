"""Cursor (keyset) paging: stable under inserts, and as fast on page 1,000 as on page 1.

The cursor is the last row's ordering value and primary key, base64-encoded JSON. It is opaque to
clients but not secret: a forged cursor only moves within the caller's own scoped queryset.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from servicedesk.api.errors import ApiError, ApiErrorCode

M = TypeVar("M", bound=models.Model)


def _bad_cursor(message: str) -> ApiError:
    return ApiError(400, ApiErrorCode.INVALID_CURSOR, message, field="cursor")


def _encode(ordering: str, value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps({"o": ordering, "v": value, "k": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, ordering: str, field: models.Field[Any, Any]) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position_ordering, value, pk = data["o"], data["v"], data["k"]
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
            raise ValueError("bad key")
        if isinstance(field, models.DateTimeField):
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("naive time")
        elif not isinstance(value, str) or "\x00" in value:
            raise ValueError("bad value")
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as error:
        raise _bad_cursor("This cursor is not one we handed out.") from error
    if position_ordering != ordering:
        raise _bad_cursor("This cursor belongs to another ordering; start again without it.")
    return value, pk


def keyset_page(
    queryset: QuerySet[M], *, ordering: str, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of `queryset` in `ordering` (a field name, `-` for descending) and the cursor
    of the next page, or None on the last one. The primary key breaks ties."""
    name = ordering.removeprefix("-")
    descending = ordering.startswith("-")
    queryset = queryset.order_by(ordering, "-pk" if descending else "pk")
    if cursor:
        value, pk = _decode(cursor, ordering, queryset.model._meta.get_field(name))  # type: ignore[arg-type]
        beyond = "lt" if descending else "gt"
        queryset = queryset.filter(
            Q(**{f"{name}__{beyond}": value}) | Q(**{name: value, f"pk__{beyond}": pk})
        )
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], _encode(ordering, getattr(last, name), last.pk)
