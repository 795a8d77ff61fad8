from __future__ import annotations

from typing import Any

import pytest

from servicedesk.tickets.tests.exits import exits as exits  # the demo organisation, marked


@pytest.fixture(autouse=True)
def desk_always_open(settings: Any) -> None:
    """No calendar of that name: the desk counts around the clock, whatever the hour the
    tests run at (the chat's hours have tests of their own)."""
    settings.SERVICEDESK_DEFAULT_CALENDAR = "(none: around the clock)"
