"""Request details the routers share: unknown query parameters and the version a client read."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from ninja import Schema

from servicedesk.api.errors import ApiError, ApiErrorCode


def allowed_names(*schemas: type[Schema]) -> frozenset[str]:
    return frozenset(
        field.alias or name for schema in schemas for name, field in schema.model_fields.items()
    )


def reject_unknown_parameters(request: HttpRequest, allowed: Iterable[str]) -> None:
    """A misspelt filter would otherwise silently return everything: refuse it instead."""
    allowed = frozenset(allowed)
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApiError(
            400,
            ApiErrorCode.UNKNOWN_PARAMETER,
            f"Unknown parameter '{unknown[0]}'; this list accepts: {', '.join(sorted(allowed))}.",
            field=unknown[0][:100],
        )


def version_read(request: HttpRequest, body_version: int | None) -> int | None:
    """The version the client based its change on: `If-Match: "7"` (or `7`), else the body's."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    tag = header.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()) or len(tag) > 12:
        raise ApiError(
            400,
            ApiErrorCode.INVALID_VALUE,
            'If-Match must carry the ticket\'s version, e.g. If-Match: "3".',
            field="If-Match",
        )
    version = int(tag)
    if body_version is not None and body_version != version:
        raise ApiError(
            400,
            ApiErrorCode.INVALID_VALUE,
            "If-Match and the body's version disagree; send one of them.",
            field="version",
        )
    return version
