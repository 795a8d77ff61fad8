from __future__ import annotations

from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import PriorityMatrixCell


def priority_from_matrix(impact: Impact | str, severity: Severity | str) -> Priority | None:
    """The matrix's priority for a pair, or None when an admin has left the cell empty."""
    cell = PriorityMatrixCell.objects.filter(impact=impact, severity=severity).first()
    return Priority(cell.priority) if cell else None
