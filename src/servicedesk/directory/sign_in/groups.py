"""Applies the directory group rules to a person who signed in through a directory."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from servicedesk.directory.choices import Role
from servicedesk.directory.models import DirectoryGroupRule, Person

log = logging.getLogger("servicedesk.sign_in")

# Highest last: a person in several groups gets the highest role any of them grants.
ROLE_RANK = {role: rank for rank, role in enumerate(Role)}


def has_local_password(person: Person) -> bool:
    """A password kept here (the demo's, a break-glass admin's), not a directory's."""
    return bool(person.password) and person.has_usable_password()


def _matching(rules: list[DirectoryGroupRule], groups: Iterable[str]) -> list[DirectoryGroupRule]:
    wanted = {group.strip().casefold() for group in groups if group.strip()}
    return [rule for rule in rules if rule.directory_group.strip().casefold() in wanted]


@transaction.atomic
def person_apply_directory_groups(*, person: Person, source: str, groups: Iterable[str]) -> None:
    """Sets the role, support groups and agency the person's directory groups grant.

    The directory is authoritative only for what some rule of this source manages: without a
    rule granting a role, an admin's choice of role stands; support groups no rule names keep
    the members an admin gave them."""
    rules = list(DirectoryGroupRule.objects.filter(Q(source="") | Q(source=source)).order_by("pk"))
    matched = _matching(rules, groups)
    changed: list[str] = []
    if any(rule.role for rule in rules):
        granted = [Role(rule.role) for rule in matched if rule.role]
        role = max(granted, key=ROLE_RANK.__getitem__, default=Role.REQUESTER)
        is_admin = role == Role.ADMIN
        if (person.role, person.is_staff, person.is_superuser) != (role, is_admin, is_admin):
            person.role, person.is_staff, person.is_superuser = role, is_admin, is_admin
            changed += ["role", "is_staff", "is_superuser"]
    agency_ids = [rule.agency_id for rule in matched if rule.agency_id]
    if agency_ids and person.agency_id != agency_ids[0]:
        person.agency_id = agency_ids[0]
        changed.append("agency")
    if changed:
        person.save(update_fields=changed)
    managed = {rule.support_group_id for rule in rules if rule.support_group_id}
    wanted = {rule.support_group_id for rule in matched if rule.support_group_id}
    current = set(person.support_groups.filter(pk__in=managed).values_list("pk", flat=True))
    if wanted - current:
        person.support_groups.add(*(wanted - current))
    if current - wanted:
        person.support_groups.remove(*(current - wanted))
    if changed or wanted != current:
        log.info(
            "Directory sign-in (%s) updated %s: role %s, support groups %s",
            source,
            person.username,
            person.role,
            sorted(wanted),
        )
