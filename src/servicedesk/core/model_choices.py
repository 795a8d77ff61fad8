"""Drop-down lists of rows read with one plain query each.

Django reads a ModelChoiceField's rows through `QuerySet.iterator()`, which on PostgreSQL opens a
server-side cursor: three round trips (declare, fetch, close) for a list of a few dozen groups or
people, eleven lists on an agent's ticket page. These lists are short (active groups, staff,
services, codes), so `ListedChoices` reads them as an ordinary query and keeps the rows on the
field, so that asking the list's length afterwards costs no COUNT either.

Inside `core.editions.one_edition()` (the agent's ticket page), a list of configuration rows
(groups, staff, services, codes: `core.editions.WATCHED`) is not read at all while the
configuration's edition stands: the process keeps the list's choices, one per set of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator

from servicedesk.core.editions import cached, is_watched, reading_one_edition


class ListedChoices(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self._choices()

    def __len__(self) -> int:
        listed = len(self._choices()) if self._kept() else len(self.queryset)
        return listed + (1 if self.field.empty_label is not None else 0)

    def _kept(self) -> bool:
        return reading_one_edition() and _only_watched(self.queryset)

    def _choices(self) -> list[Any]:
        if not self._kept():
            return [self.choice(obj) for obj in self.queryset]  # the rows stay on the queryset
        # The label depends on the field (a code's list names its category).
        key = f"model_choices:{type(self.field).__qualname__}:{_same_rows_key(self.queryset)!r}"
        return cached(key, lambda: [self.choice(obj) for obj in self.queryset])


def _only_watched(rows: QuerySet[Any]) -> bool:
    """Whether the list's rows and what it joins or prefetches all change the edition."""
    related = rows.query.select_related
    if related is True or any(deeper for deeper in (related or {}).values()):
        return False  # every relation, or a relation's relations: not worth working out
    paths = [*(related or {}), *rows._prefetch_related_lookups]  # type: ignore[attr-defined]
    if any("__" in str(path) for path in paths):
        return False
    models = [rows.model, *(rows.model._meta.get_field(str(path)).related_model for path in paths)]
    return all(is_watched(model) for model in models)


def list_model_choices(form: forms.BaseForm) -> None:
    """Have the form's model choice fields read their rows with `ListedChoices`."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.iterator = ListedChoices
            field.queryset = field.queryset  # the setter hands the widget the new iterator


def share_model_choices(forms_on_page: Iterable[forms.BaseForm]) -> None:
    """Forms shown on one page that offer the same rows (the groups and staff lists of the
    ticket page's assign, escalate, task and triage forms) read them once: their lists are
    given one queryset, whose rows `ListedChoices` keeps. (The fields themselves keep their own
    queryset, which validates what is posted.)"""
    first_of: dict[tuple[Any, ...], QuerySet[Any]] = {}
    for form in forms_on_page:
        for field in form.fields.values():
            listed = getattr(field.widget, "choices", None)
            if isinstance(listed, ListedChoices):
                key = _same_rows_key(listed.queryset)
                listed.queryset = first_of.setdefault(key, listed.queryset)


def _same_rows_key(rows: QuerySet[Any]) -> tuple[Any, ...]:
    """What decides a list's rows, without compiling its SQL (which costs more than the query
    it would save): the model, the conditions (their repr names fields and values), order,
    joins, slice and prefetches."""
    query = rows.query
    return (
        rows.model,
        repr(query.where),
        tuple(str(key) for key in query.order_by),
        repr(query.select_related),
        query.distinct,
        query.low_mark,
        query.high_mark,
        tuple(str(lookup) for lookup in rows._prefetch_related_lookups),  # type: ignore[attr-defined]
    )
