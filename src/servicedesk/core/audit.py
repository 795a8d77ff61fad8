"""Audit of configuration: every change of a registered model becomes a `ConfigChange`.

Register a model with one line, on the class (`@audited(secrets=("password",))`) or, for a
model of another package, with `audit_register(Model)`. Changes are caught by model signals, so
the admin, a service, the API and a management command are all recorded alike; a queryset
`.update()` or `bulk_create()` bypasses signals and so must not be used on audited models.

Who made the change comes from the request being served (`AuditActorMiddleware`: the signed-in
person, or the API token's owner), or from `acting_as(person)` around a service call made
outside a request; with neither, the entry says `system`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse

from servicedesk.core.models import ConfigAction, ConfigChange

MASK = "********"
ModelT = TypeVar("ModelT", bound=type[models.Model])


@dataclass(frozen=True)
class Audited:
    fields: tuple[str, ...]
    many: tuple[str, ...]
    secrets: frozenset[str]
    record_creation: bool


@dataclass(frozen=True)
class _Options:
    fields: frozenset[str] | None
    exclude: frozenset[str]
    secrets: frozenset[str]
    record_creation: bool


REGISTRY: dict[type[models.Model], _Options] = {}
_resolved: dict[type[models.Model], Audited] = {}


def config_of(model: type[models.Model]) -> Audited:
    """What is tracked of `model`, worked out on first use (once every model is loaded)."""
    if model not in _resolved:
        options = REGISTRY[model]

        def chosen(name: str) -> bool:
            wanted = options.fields is None or name in options.fields
            return wanted and name not in options.exclude

        _resolved[model] = Audited(
            fields=tuple(f.name for f in model._meta.concrete_fields if chosen(f.name)),
            many=tuple(f.name for f in model._meta.local_many_to_many if chosen(f.name)),
            secrets=options.secrets,
            record_creation=options.record_creation,
        )
    return _resolved[model]


# --- Who is acting -------------------------------------------------------------------------

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_explicit: ContextVar[tuple[Any, str] | None] = ContextVar("audit_actor", default=None)


class AuditActorMiddleware:
    """Makes the request being served known to the audit (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def acting_as(person: Any, via: str = "system") -> Iterator[None]:
    """Name the actor of changes made outside a request (a command, a task, a test)."""
    token = _explicit.set((person, via))
    try:
        yield
    finally:
        _explicit.reset(token)


def current_actor() -> tuple[Any, str]:
    explicit = _explicit.get()
    if explicit is not None:
        return explicit
    request = _request.get()
    if request is None:
        return None, "system"
    via = "admin" if request.path.startswith("/admin/") else "web"
    if request.path.startswith("/api/"):
        via = "api"
    # The API's token authentication leaves the person in `request.auth`, not `request.user`.
    for candidate in (getattr(request, "auth", None), getattr(request, "user", None)):
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            return candidate, via
    return None, via


# --- What changed ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-storable form of a field value (dates, times, decimals, UUIDs as text)."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _field_value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, name)
        return None if related is None else str(related)
    return _plain(getattr(instance, name))


def _many_value(instance: models.Model, name: str) -> list[str]:
    return sorted(str(item) for item in getattr(instance, name).all())


def snapshot(instance: models.Model, config: Audited) -> dict[str, Any]:
    return {name: _field_value(instance, name) for name in config.fields}


def _masked(name: str, before: Any, after: Any, config: Audited) -> list[Any]:
    if name not in config.secrets:
        return [before, after]
    return [MASK if before else "", MASK if after else ""]


def _diff(before: dict[str, Any], after: dict[str, Any], config: Audited) -> dict[str, Any]:
    return {
        name: _masked(name, before.get(name), after.get(name), config)
        for name in after
        if before.get(name) != after.get(name)
    }


def _write(instance: models.Model, action: ConfigAction, changes: dict[str, Any]) -> None:
    actor, via = current_actor()
    ConfigChange.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        via=via,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
    )


# --- Signals -------------------------------------------------------------------------------


def _tracked_update(config: Audited, update_fields: Iterable[str] | None) -> bool:
    return update_fields is None or bool(set(update_fields) & set(config.fields))


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    config = config_of(sender)
    if instance._state.adding or instance.pk is None:
        return
    if not _tracked_update(config, kwargs.get("update_fields")):
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is not None:
        instance._audit_before = snapshot(stored, config)  # type: ignore[attr-defined]


def _after_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    config = config_of(sender)
    if created:
        if config.record_creation:
            after = {k: v for k, v in snapshot(instance, config).items() if v not in (None, "")}
            _write(instance, ConfigAction.CREATED, _diff({}, after, config))
        return
    # No snapshot before the save (only untracked fields were saved): nothing to compare, and
    # no related rows are read for nothing (a sign-in saves `last_login` on every person).
    before = instance.__dict__.pop("_audit_before", None)
    if before is None:
        return
    changes = _diff(before, snapshot(instance, config), config)
    if changes:
        _write(instance, ConfigAction.CHANGED, changes)


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    config = config_of(sender)
    before = {k: v for k, v in snapshot(instance, config).items() if v not in (None, "")}
    _write(instance, ConfigAction.DELETED, _diff(before, dict.fromkeys(before), config))


def _on_many_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    if action.endswith("_set") or not action.startswith(("pre_", "post_")):
        return
    for model in list(REGISTRY):
        for name in config_of(model).many:
            if getattr(model, name).through is sender:
                _many_changed(model, name, instance, action, reverse, pk_set)


def _many_changed(
    model: type[models.Model],
    name: str,
    instance: models.Model,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
) -> None:
    key = f"_audit_many_{name}"
    if action.startswith("pre_"):
        if not reverse:
            owners = [instance]
        elif pk_set:
            owners = list(model._base_manager.filter(pk__in=pk_set))
        else:  # a reverse clear: every owner that named this instance
            owners = list(model._base_manager.filter(**{name: instance}))
        instance.__dict__[key] = [(owner, _many_value(owner, name)) for owner in owners]
        return
    for owner, before in instance.__dict__.pop(key, []):
        after = _many_value(owner, name)
        if after != before:
            _write(owner, ConfigAction.CHANGED, {name: [before, after]})


m2m_changed.connect(_on_many_changed, dispatch_uid="audit:many")


def audit_register(
    model: ModelT,
    *,
    fields: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    secrets: Iterable[str] = (),
    record_creation: bool = True,
) -> ModelT:
    """Record every change of `model`'s `fields` (default: all concrete and many-to-many
    fields but the `exclude`d); `secrets` are recorded as changed, never by value."""
    REGISTRY[model] = _Options(
        None if fields is None else frozenset(fields),
        frozenset({"id", *exclude}),
        frozenset(secrets),
        record_creation,
    )
    uid = f"audit:{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    return model


def audited(**options: Any) -> Callable[[ModelT], ModelT]:
    """Class decorator: `@audited(secrets=("imap_password",))` on a configuration model."""

    def register(model: ModelT) -> ModelT:
        return audit_register(model, **options)

    return register
