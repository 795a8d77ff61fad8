"""Sign-in with a password kept here, and the signed-in person read on every page.

Django's `ModelBackend` checks the password; it also reads the signed-in person for every
request of a session it signed in, building and compiling that query anew each time. Here the
person's row is read with a statement kept for the process (`core.kept_queries`), prepared on
PostgreSQL. Sessions signed in before this backend had its name carry Django's; the session
store reads that name as this one (`core.sessions`), so nobody is signed out by the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import Person


def _person_numbered(pk: int) -> QuerySet[Person]:
    return Person.objects.filter(pk=pk)


_PERSON_NUMBERED = KeptQuery(_person_numbered)


class LocalPasswordBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Person | None:
        person = next(iter(_PERSON_NUMBERED(int(user_id))), None)
        return person if person is not None and self.user_can_authenticate(person) else None
