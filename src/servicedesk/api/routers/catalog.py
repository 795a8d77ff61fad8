"""`/services` and `/categories` (each with its priority codes), read-only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from servicedesk.api.errors import ERRORS
from servicedesk.api.params import allowed_names, reject_unknown_parameters
from servicedesk.api.schemas.directory import CategoryOut, NameFilter, ServiceOut
from servicedesk.catalog.models import Category, Service

router = Router(tags=["catalog"])


@router.get("/services", response={200: list[ServiceOut], **ERRORS})
def service_list(request: HttpRequest, filters: Query[NameFilter]) -> QuerySet[Service]:
    reject_unknown_parameters(request, allowed_names(NameFilter))
    services = Service.objects.filter(is_active=True).select_related("default_group")
    if filters.search:
        services = services.filter(name__icontains=filters.search)
    return services


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
def category_list(request: HttpRequest, filters: Query[NameFilter]) -> QuerySet[Category]:
    reject_unknown_parameters(request, allowed_names(NameFilter))
    categories = Category.objects.prefetch_related("codes__targets")
    if filters.search:
        categories = categories.filter(name__icontains=filters.search)
    return categories
