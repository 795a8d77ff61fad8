"""Who is on call: a weekly rotation handed over at a local time, and overrides that win."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicedesk.conftest import Org
from servicedesk.directory.models import OnCallOverride, OnCallRota, OnCallSlot
from servicedesk.directory.oncall import on_call_board, on_call_now, rotation_index

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = date(2026, 11, 2)


def at(day: int, hour: int) -> datetime:
    """A moment in Chicago, `day` days after the first Monday."""
    return datetime.combine(MONDAY + timedelta(days=day), time(hour), tzinfo=CHICAGO)


def test_the_week_turns_at_the_handover_time_and_wraps_around() -> None:
    def index(moment: datetime) -> int:
        return rotation_index(MONDAY, time(9), CHICAGO, moment.astimezone(UTC), 3)

    assert index(at(0, 9)) == 0
    assert index(at(7, 8)) == 0  # the next Monday, before the handover
    assert index(at(7, 9)) == 1
    assert index(at(14, 10)) == 2
    assert index(at(21, 10)) == 0


@pytest.mark.django_db
def test_an_override_wins_and_the_board_shows_the_meeting_time(org: Org) -> None:
    rota = OnCallRota.objects.create(
        group=org.network_group,
        starts_on=MONDAY,
        handover_time=time(9),
        meeting_time=time(11, 30),
    )
    OnCallSlot.objects.create(rota=rota, position=0, person=org.network)
    OnCallSlot.objects.create(rota=rota, position=1, person=org.lead)
    second_week = at(8, 12)

    regular = on_call_now(org.network_group, second_week)
    OnCallOverride.objects.create(
        rota=rota, person=org.desk, starts_at=at(8, 0), ends_at=at(9, 0), reason="Swap"
    )
    covered = on_call_now(org.network_group, second_week)

    assert regular is not None and regular.person == org.lead and not regular.is_override
    assert regular.until == at(14, 9)
    assert covered is not None and covered.person == org.desk and covered.is_override
    board = on_call_board(second_week)
    assert [(row.group, row.person, row.meeting_time) for row in board] == [
        (org.network_group, org.desk, time(11, 30))
    ]
    assert on_call_now(org.desk_group) is None
