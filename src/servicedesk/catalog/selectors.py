from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import (
    Category,
    PriorityMatrixCell,
    RequestType,
    Service,
    ServiceDependency,
)
from servicedesk.core.editions import cached


def priority_from_matrix(impact: Impact | str, severity: Severity | str) -> Priority | None:
    """The matrix's priority for a pair, or None when an admin has left the cell empty."""
    priority = cached("catalog.priority_matrix", _matrix).get((str(impact), str(severity)))
    return Priority(priority) if priority else None


def _matrix() -> dict[tuple[str, str], str]:
    """The whole matrix (a few cells) by (impact, severity)."""
    cells = PriorityMatrixCell.objects.values_list("impact", "severity", "priority")
    return {(impact, severity): priority for impact, severity, priority in cells}


@dataclass(frozen=True)
class CatalogSection:
    """The request types of one category, as the portal's catalog lists them."""

    category: Category | None
    request_types: list[RequestType]


def catalog_sections(query: str = "") -> list[CatalogSection]:
    """Offered request types, grouped by category (uncategorized last); every word of `query`
    must appear in the name, description or keywords."""
    offered = RequestType.objects.filter(is_offered=True).select_related("default_category")
    for word in query.split()[:6]:
        offered = offered.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(keywords__icontains=word)
        )
    groups: dict[int | None, list[RequestType]] = defaultdict(list)
    categories: dict[int | None, Category | None] = {None: None}
    for request_type in offered.order_by("default_category__number", "name"):
        category = request_type.default_category
        key = category.pk if category else None
        categories[key] = category
        groups[key].append(request_type)

    def position(key: int | None) -> tuple[bool, int]:
        category = categories[key]
        return (category is None, category.number if category else 0)

    ordered = sorted(groups, key=position)
    return [CatalogSection(categories[key], groups[key]) for key in ordered]


def offered_request_type(slug: str) -> RequestType:
    """Raises RequestType.DoesNotExist for a type that is missing or no longer offered."""
    return RequestType.objects.get(slug=slug, is_offered=True)


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
