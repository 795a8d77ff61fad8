"""Ticket lists as CSV or XLSX, streamed: rows are read in chunks and written as they come, so
memory stays flat however long the list (measured in bench/).

Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (CSV and formula injection): such cells are written with a leading apostrophe, which
every spreadsheet shows as text. Whoever asks for an export gets the rows of a queryset that
started from the access policy; nothing here widens it.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from servicedesk.tickets.models import Ticket

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000

COLUMNS: list[tuple[str, Any]] = [
    ("number", _("Number")),
    ("short_description", _("Short description")),
    ("kind", _("Kind")),
    ("state", _("State")),
    ("priority", _("Priority")),
    ("channel", _("Channel")),
    ("agency__name", _("Agency")),
    ("assignment_group__name", _("Group")),
    ("assignee__username", _("Assignee")),
    ("service__name", _("Service")),
    ("created_at", _("Filed")),
    ("updated_at", _("Updated")),
    ("resolved_at", _("Resolved")),
]


def neutralise(value: object) -> object:
    """A cell a spreadsheet would run as a formula becomes text; other values pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _local(value: object, zone: ZoneInfo) -> object:
    if isinstance(value, datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def export_rows(tickets: QuerySet[Ticket]) -> Iterator[list[object]]:
    """Each ticket as a row of plain values, in the desk's zone, read `CHUNK` rows at a time."""
    zone = ZoneInfo(settings.TIME_ZONE)
    fields = [name for name, _ in COLUMNS]
    for row in tickets.values_list(*fields).iterator(chunk_size=CHUNK):
        yield [neutralise(_local(value, zone)) for value in row]


def header() -> list[str]:
    return [str(title) for _, title in COLUMNS]


class _Line:
    """csv.writer writes into this and we hand each line on, so nothing accumulates."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # a byte-order mark, so Excel reads UTF-8
    yield writer.writerow(header())
    for row in rows:
        yield writer.writerow(["" if value is None else value for value in row])


def xlsx_file(rows: Iterable[list[object]], title: str = "Tickets") -> IO[bytes]:
    """A workbook written in openpyxl's streaming mode into a temporary file (rewound)."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(title=title[:31])
    sheet.append(header())
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    # Handed to FileResponse, which closes it once sent (the file is gone when closed).
    spooled = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(spooled)
    spooled.seek(0)
    return spooled


def _text_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    # Explicitly a string cell: openpyxl would otherwise store "=…" as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
