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
        from django.db.models.signals import post_migrate, pre_save

        from servicedesk.core.editions import install_after_migrate
        from servicedesk.core.stored_text import clean_before_save

        # Every model, every face: what PostgreSQL refuses is cleaned before any write.
        pre_save.connect(clean_before_save, dispatch_uid="servicedesk.core.postgres_safe")
        # The configuration's edition row and triggers, after every migrate and flush.
        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="servicedesk.core.editions"
        )
