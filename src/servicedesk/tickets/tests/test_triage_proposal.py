"""Impact proposed from the affected people (the state agency's filing procedure: impact is the
number of people affected)."""

import pytest

from servicedesk.catalog.choices import Impact
from servicedesk.tickets.triage import propose_impact


@pytest.mark.parametrize(
    ("agencies", "expected"),
    [
        ([], None),
        ([1], Impact.INDIVIDUAL),
        ([None], Impact.INDIVIDUAL),
        ([1, 1, 1], Impact.AGENCY),
        ([1, None], Impact.AGENCY),
        ([None, None], Impact.AGENCY),
        ([1, 2], Impact.MULTI_AGENCY),
        ([1, 2, None, 2], Impact.MULTI_AGENCY),
    ],
)
def test_impact_is_proposed_from_how_many_people_in_how_many_agencies(
    agencies: list[int | None], expected: Impact | None
) -> None:
    assert propose_impact(agencies) == expected
