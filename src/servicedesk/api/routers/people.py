"""`/people` (scoped: staff see everyone active, a requester only themself) and `/groups`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS
from servicedesk.api.params import allowed_names, reject_unknown_parameters
from servicedesk.api.schemas.directory import GroupOut, NameFilter, PeopleFilters, PersonOut
from servicedesk.api.selectors import api_people
from servicedesk.directory.models import Person, SupportGroup

router = Router(tags=["directory"])


@router.get("/people", response={200: list[PersonOut], **ERRORS})
def person_list(request: HttpRequest, filters: Query[PeopleFilters]) -> list[Person]:
    """For autocomplete: people whose name, username or e-mail contain every word searched."""
    reject_unknown_parameters(request, allowed_names(PeopleFilters))
    return list(api_people(caller(request), filters.search)[: filters.limit])


@router.get("/groups", response={200: list[GroupOut], **ERRORS})
def group_list(request: HttpRequest, filters: Query[NameFilter]) -> QuerySet[SupportGroup]:
    """Active support groups, by tier."""
    reject_unknown_parameters(request, allowed_names(NameFilter))
    groups = SupportGroup.objects.filter(is_active=True)
    if filters.search:
        groups = groups.filter(name__icontains=filters.search)
    return groups
