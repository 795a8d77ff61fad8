"""Reading PostgreSQL's plans for the shapes whose cost grows with the number of tickets.

A page may read a big table only through an index that narrows what it reads: by a condition
(the tickets of one requester, of a period, of one ticket) or in the order it shows, stopping at
its page size. Two shapes read every row instead, and so cost more each day the desk works:

- a sequential scan of a big table: with sequential scans priced out of reach (the caller's
  `enable_seqscan = off`), one that remains means no index can serve the query;
- a sort of a share of a big table feeding a LIMIT: the page shows 25 rows and sorts them all.

Whole-index walks (an index scan with no condition) are left alone: the planner picks them over
a selective index or a bitmap by cost, and at a few hundred rows its choice says nothing about
a million.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Plan = dict[str, Any]

# Nodes that hand their rows up as they come: a LIMIT above them still decides what they read.
STREAMING = frozenset(
    {"Limit", "Result", "Subquery Scan", "Unique", "Gather", "Gather Merge", "Incremental Sort"}
)
# What a sort of groups sits on: it orders the groups (services, agents), not the tickets.
GROUPING = frozenset({"Aggregate", "Group", "WindowAgg"})


@dataclass(frozen=True)
class Finding:
    kind: str  # "sequential scan" or "sort for a LIMIT"
    detail: str  # the table, or the sort keys and estimated rows

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def _walk(node: Plan, under_limit: bool) -> Iterator[tuple[Plan, bool]]:
    yield node, under_limit
    kind = node["Node Type"]
    for child in node.get("Plans", []):
        if child.get("Parent Relationship") in {"SubPlan", "InitPlan"}:
            passed = False  # a subquery runs on its own, whatever the outer LIMIT
        else:
            passed = kind == "Limit" or (kind in STREAMING and under_limit)
        yield from _walk(child, passed)


def _sorts_groups(sort: Plan) -> bool:
    return any(child["Node Type"] in GROUPING for child in sort.get("Plans", []))


def findings(plan: Plan, big_tables: frozenset[str], most_sorted_rows: float) -> list[Finding]:
    """What in `plan` (EXPLAIN (FORMAT JSON)'s "Plan") reads a big table whole: a sequential
    scan, or a sort under a LIMIT of more rows than `most_sorted_rows` (planner's estimate)."""
    found = []
    for node, under_limit in _walk(plan, under_limit=False):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") in big_tables:
            found.append(Finding("sequential scan", node["Relation Name"]))
        elif (
            kind == "Sort"
            and under_limit
            and node["Plan Rows"] > most_sorted_rows
            and not _sorts_groups(node)
        ):
            keys = ", ".join(node.get("Sort Key", []))
            found.append(Finding("sort for a LIMIT", f"~{node['Plan Rows']} rows by {keys}"))
    return found
