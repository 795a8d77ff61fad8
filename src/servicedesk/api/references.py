"""Turning the ids a client sends into the objects a service expects.

An id that names nothing (or someone inactive) is a 422 on that field, before any service runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from servicedesk.api.errors import ApiError, ApiErrorCode
from servicedesk.catalog.models import Category, PriorityCode, RequestType, Service
from servicedesk.directory.models import Agency, ExternalHelpDesk, Location, Person, SupportGroup

# Which model each id-valued field names, and which of its rows may be named.
REFERENCE_FIELDS: dict[str, models.QuerySet[Any]] = {
    "requester": Person.objects.filter(is_active=True),
    "assignee": Person.objects.filter(is_active=True),
    "agency": Agency.objects.all(),
    "location": Location.objects.all(),
    "service": Service.objects.filter(is_active=True),
    "category": Category.objects.all(),
    "priority_code": PriorityCode.objects.all(),
    "request_type": RequestType.objects.all(),
    "assignment_group": SupportGroup.objects.filter(is_active=True),
    "group": SupportGroup.objects.filter(is_active=True),
    "help_desk": ExternalHelpDesk.objects.filter(is_active=True),
}


def resolve_one(field: str, pk: int | None) -> Any:
    if pk is None:
        return None
    found = REFERENCE_FIELDS[field].filter(pk=pk).first()
    if found is None:
        label = field.replace("_", " ")
        raise ApiError(422, ApiErrorCode.INVALID_VALUE, f"There is no {label} {pk}.", field=field)
    return found


def resolve_references(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with every id-valued field replaced by its object (None stays None)."""
    return {
        name: resolve_one(name, value) if name in REFERENCE_FIELDS else value
        for name, value in values.items()
    }


def resolve_people(field: str, ids: list[int]) -> list[Person]:
    if not ids:
        return []
    wanted = set(ids)
    people = list(Person.objects.filter(is_active=True, pk__in=wanted))
    missing = wanted - {person.pk for person in people}
    if missing:
        raise ApiError(
            422, ApiErrorCode.INVALID_VALUE, f"There is no person {min(missing)}.", field=field
        )
    return people
