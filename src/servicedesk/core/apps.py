from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def secrets_key_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """A production installation without a key for secrets at rest fails `check` and `migrate`."""
    from servicedesk.core.crypto import encrypt

    try:
        encrypt("check")
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="servicedesk.E001")]
    return []


class CoreConfig(AppConfig):
    name = "servicedesk.core"
    label = "core"

    def ready(self) -> None:
        checks.register(secrets_key_check, checks.Tags.security)
