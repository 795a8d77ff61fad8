"""Building blocks shared by every app; nothing domain-specific lives here."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


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
