"""Writes to the directory."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person

SYSTEM_USERNAME = "servicedesk-system"


def system_actor() -> Person:
    """The author of automatic changes (auto-close, mail intake): an administrator that cannot
    sign in (inactive, no password), so history always names an actor and nobody can act as it."""
    person, _ = Person.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": "Servicedesk",
            "last_name": "(automatic)",
            "role": Role.ADMIN,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return person
