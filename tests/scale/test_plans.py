"""The plan reading of the two-size test tells the shapes that grow from those that do not."""

from __future__ import annotations

from tests.scale.plans import Finding, Plan, findings

BIG = frozenset({"tickets_ticket"})


def scan(kind: str, table: str, **more: object) -> Plan:
    return {"Node Type": kind, "Relation Name": table, "Plan Rows": 100, **more}


def node(kind: str, *children: Plan, rows: int = 100, **more: object) -> Plan:
    return {"Node Type": kind, "Plan Rows": rows, "Plans": list(children), **more}


def test_a_sequential_scan_of_a_big_table_is_found_wherever_it_sits() -> None:
    deep = node(
        "Limit",
        node(
            "Nested Loop",
            scan("Index Scan", "directory_person"),
            scan("Seq Scan", "tickets_ticket"),
        ),
    )
    assert findings(deep, BIG, 50) == [Finding("sequential scan", "tickets_ticket")]
    assert findings(scan("Seq Scan", "directory_person"), BIG, 50) == []


def test_a_sort_of_many_rows_for_a_limit_is_found() -> None:
    sorted_page = node(
        "Limit",
        node(
            "Result",
            node(
                "Sort",
                scan("Bitmap Heap Scan", "tickets_ticket"),
                rows=900,
                **{"Sort Key": ["due"]},
            ),
        ),
    )
    assert findings(sorted_page, BIG, 50) == [Finding("sort for a LIMIT", "~900 rows by due")]


def test_small_sorts_sorts_of_groups_and_sorts_without_a_limit_are_not() -> None:
    few = node("Limit", node("Sort", scan("Index Scan", "tickets_ticket"), rows=12))
    groups = node(
        "Limit", node("Sort", node("Aggregate", scan("Index Scan", "tickets_ticket")), rows=900)
    )
    whole = node("Sort", scan("Index Scan", "tickets_ticket"), rows=900)  # an export, read whole
    in_subquery = node(
        "Limit",
        scan("Index Scan", "tickets_ticket"),
        node(
            "Sort",
            scan("Index Scan", "tickets_ticket"),
            rows=900,
            **{"Parent Relationship": "SubPlan"},
        ),
    )
    for plan in (few, groups, whole, in_subquery):
        assert findings(plan, BIG, 50) == []
