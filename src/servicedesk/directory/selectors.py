"""Reads of people, scoped to who is asking: the people pickers and type-ahead start here."""

from __future__ import annotations

from functools import reduce
from operator import and_

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import Person, SupportGroup

# Below this many characters an employee's search would list most of the directory.
MIN_QUERY_LENGTH = 2
SEARCH_LIMIT = 10


def people_visible(viewer: Person | AnonymousUser) -> QuerySet[Person]:
    """The people the viewer may find, scoped like tickets by the access policy
    (`tickets.access.visible_people`): an agent serving one agency does not find another
    agency's requesters."""
    from servicedesk.tickets.access import visible_people  # tickets builds on directory

    return visible_people(viewer).select_related("agency")


def people_search(viewer: Person | AnonymousUser, query: str) -> list[Person]:
    """Type-ahead: every word must match. Employees find colleagues by name only; staff may
    also use a username or an e-mail address (how callers on the phone identify themselves)."""
    words = query.split()[:4]
    if len("".join(words)) < MIN_QUERY_LENGTH:
        return []
    staff = isinstance(viewer, Person) and viewer.is_staff_member

    def matches(word: str) -> Q:
        by_name = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        if staff:
            return by_name | Q(username__iexact=word) | Q(email__iexact=word)
        return by_name

    condition = reduce(and_, (matches(word) for word in words))
    return list(people_visible(viewer).filter(condition)[:SEARCH_LIMIT])


def _support_groups_joined_by(person_id: int) -> QuerySet[SupportGroup]:
    return SupportGroup.objects.filter(members=person_id)


# On every workspace home: compiled once, prepared on PostgreSQL (`core.kept_queries`).
_SUPPORT_GROUPS_JOINED_BY = KeptQuery(_support_groups_joined_by)


def support_groups_of(person: Person) -> list[SupportGroup]:
    """The groups the person is a member of (`person.support_groups`), in the groups' order."""
    return list(_SUPPORT_GROUPS_JOINED_BY(person.pk))
