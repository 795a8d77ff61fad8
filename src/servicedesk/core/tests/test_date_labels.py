"""A list's dates (`core/date_labels.py`) read as Django's date format would write them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from servicedesk.core.date_labels import month_day_time, weekday_day_month_time


@pytest.mark.parametrize(
    ("label", "django_format"),
    [(weekday_day_month_time, "D j M H:i"), (month_day_time, "M j, H:i")],
)
def test_a_label_reads_as_djangos_date_format_would_write_it(
    label: Callable[[datetime], str], django_format: str
) -> None:
    """Every weekday and month, hours and days of one digit and of two, in English and German."""
    first = datetime(2026, 1, 1, 5, 59, tzinfo=UTC)
    for language in ("en", "de"):
        with translation.override(language):
            for hours in range(0, 24 * 400, 37):
                shown = localtime(first + timedelta(hours=hours))
                assert label(shown) == format_date(shown, django_format), shown
