"""Building blocks shared by every app; nothing domain-specific lives here."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} entries are never changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} entries are never deleted")


class AppendOnlyModel(models.Model):
    """A record that is written once: saving an existing row or deleting one is refused.

    A database trigger (see each app's migration) enforces the same for raw SQL updates.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} entries are never deleted")


def append_only_trigger_sql(table: str, vendor: str) -> tuple[str, str]:
    """SQL (create, drop) for a trigger refusing UPDATE on `table`.

    DELETE stays possible at the SQL level so that test databases can be flushed; the ORM and
    PROTECT foreign keys refuse it in the application.
    """
    name = f"{table}_append_only"
    if vendor == "postgresql":
        create = f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER {name} BEFORE UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {name}();
        """
        drop = f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"
    else:
        create = f"""
            CREATE TRIGGER {name} BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
        """
        drop = f"DROP TRIGGER IF EXISTS {name};"
    return create, drop


class RateCounter(models.Model):
    """Hits of one subject against one abuse limit in one fixed window (see `core.limits`)."""

    limit_name = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    window_start = models.BigIntegerField(help_text="Unix seconds at which the window opened.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["limit_name", "subject", "window_start"], name="rate_counter_unique"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.limit_name} {self.subject}@{self.window_start}: {self.hits}"


class ConfigAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"


class ConfigChange(AppendOnlyModel):
    """One change of one configuration object (an SLA rule, a matrix cell, a mailbox, …): who,
    through which door, what, and each changed field before and after (secrets masked).

    Written by `core.audit` for every model registered there, whatever made the change."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "directory.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=20, help_text="admin, api, web or system.")
    model = models.CharField(max_length=100, help_text="app_label.model, e.g. sla.slarule.")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=ConfigAction.choices)
    changes = models.JSONField(
        default=dict, help_text='{"field": [before, after]}; secrets appear as "********".'
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "configuration change"
        indexes = [models.Index(fields=["model", "object_id"], name="config_change_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model} {self.object_repr}"


class WorkerBeat(models.Model):
    """A task worker's sign of life (`servicedesk worker` writes it every few seconds, by the
    database's clock). A worker silent for longer than `core.jobs.STALE_AFTER` is dead: the task
    it was running goes back in line for another worker."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    queues = models.CharField(max_length=255, blank=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host}"


class PeriodicSlot(models.Model):
    """One periodic job's run in one interval of the wall clock. Its uniqueness is the lock: of
    all the schedulers running, only the one whose insert wins enqueues the job for that slot."""

    job = models.CharField(max_length=200)
    slot = models.BigIntegerField(help_text="Seconds since the epoch divided by the interval.")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} in slot {self.slot}"


class ConfigEdition(models.Model):
    """One row whose number the database changes, by trigger, with every change of the
    configuration a filing reads (SLA rules and calendars, the priority matrix and codes' targets,
    mail templates, webhook subscriptions): `core.editions` keeps what a process read until it
    changes. Random, not counted up, so that a rolled-back change never meets its number again."""

    edition = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"configuration edition {self.edition}"
