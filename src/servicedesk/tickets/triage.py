"""Triage proposals the desk starts from: pure functions, no database.

The state agency's filing procedure: the desk "ranks the impact (number of people affected)".
Affected people give a proposal; the agent decides and may change it."""

from __future__ import annotations

from collections.abc import Sequence

from servicedesk.catalog.choices import Impact


def propose_impact(agency_ids: Sequence[int | None]) -> Impact | None:
    """One agency id per affected person (None when the directory does not know it).

    Nobody → no proposal; one person → individual; several people in one agency → agency;
    people from several agencies → multi agency. An unknown agency never widens the impact:
    it is more likely the same agency than a new one, and the agent sees the people anyway.
    """
    if not agency_ids:
        return None
    if len(agency_ids) == 1:
        return Impact.INDIVIDUAL
    known = {agency_id for agency_id in agency_ids if agency_id is not None}
    return Impact.MULTI_AGENCY if len(known) > 1 else Impact.AGENCY
