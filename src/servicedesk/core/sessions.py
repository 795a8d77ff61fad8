"""Django's database sessions, with the session's row read by a statement compiled once.

Every signed-in page reads its session's row first. Django builds and compiles that query anew
each time (about 0.4 ms of CPU) for a statement that never changes but for the key; kept
(`core.kept_queries`), it is compiled once, and prepared on PostgreSQL so that it is planned
once too. The session's expiry is checked on the row read, as Django's query checks it; the
table, the rows and the cookie are Django's own, so sessions outlive the change of engine.

A session signed in by Django's `ModelBackend` is read as signed in by ours, which took its place
(`directory.sign_in.local`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.utils import timezone

from servicedesk.core.kept_queries import KeptQuery


def _session_keyed(session_key: str) -> QuerySet[Session]:
    return Session.objects.filter(session_key=session_key)


_SESSION_KEYED = KeptQuery(_session_keyed)


# Backends whose names changed: sessions signed in under the old name stay signed in.
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": (
        "servicedesk.directory.sign_in.local.LocalPasswordBackend"
    ),
}


class SessionStore(db.SessionStore):
    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        data: dict[str, Any] = super().decode(session_data)
        renamed = RENAMED_BACKENDS.get(data.get(BACKEND_SESSION_KEY, ""))
        if renamed:
            data[BACKEND_SESSION_KEY] = renamed
        return data

    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        try:
            if key is not None:
                for session in _SESSION_KEYED(key):
                    if session.expire_date > timezone.now():
                        return session
        except SuspiciousOperation as refused:
            logger = logging.getLogger(f"django.security.{refused.__class__.__name__}")
            logger.warning(str(refused))
        self._session_key = None
        return None
