from __future__ import annotations

from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import PriorityMatrixCell, Service, ServiceDependency


def priority_from_matrix(impact: Impact | str, severity: Severity | str) -> Priority | None:
    """The matrix's priority for a pair, or None when an admin has left the cell empty."""
    cell = PriorityMatrixCell.objects.filter(impact=impact, severity=severity).first()
    return Priority(cell.priority) if cell else None


def services_depending_on(service: Service) -> list[Service]:
    """Every service that depends on `service`, directly or through others, by name."""
    found: dict[int, Service] = {}
    frontier = [service.pk]
    while frontier:
        rows = ServiceDependency.objects.filter(depends_on_id__in=frontier).select_related(
            "service"
        )
        frontier = []
        for row in rows:
            if row.service_id not in found and row.service_id != service.pk:
                found[row.service_id] = row.service
                frontier.append(row.service_id)
    return sorted(found.values(), key=lambda s: s.name)
