"""The one-line system status on the portal's home page.

A placeholder until outages land: it always reports normal. The outages app replaces the body of
`current_status` with a read of declared outages; the page only needs its `SystemStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class SystemStatus:
    level: Literal["normal", "degraded", "outage"]
    summary: str


def current_status() -> SystemStatus:
    return SystemStatus(level="normal", summary="All systems normal")
