"""Handing a service's freshly written rows to whoever renders them, without reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models


def prefetched(instance: models.Model, **related: Sequence[models.Model]) -> None:
    """Fill `instance`'s prefetch cache for each many-valued relation named, as
    `prefetch_related` would have: `instance.<name>.all()` then costs no query.

    The rows must be all the relation holds, already in the related model's ordering.
    """
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        manager = getattr(instance, name)
        queryset = manager.get_queryset()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset  # keyed by the accessor, as prefetch_related keys it
