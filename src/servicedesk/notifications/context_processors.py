"""The unread count in the nav: one COUNT, and only when a page's template shows it."""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest

from servicedesk.directory.models import Person
from servicedesk.notifications.selectors import unread_count


class UnreadCount:
    """Counts on first use, so fragments and anonymous pages that never show it cost nothing."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def value(self) -> int:
        user = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated or not isinstance(user, Person):
            return 0
        return unread_count(user)

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return str(self.value)


def notifications(request: HttpRequest) -> dict[str, UnreadCount]:
    return {"unread_notifications": UnreadCount(request)}
