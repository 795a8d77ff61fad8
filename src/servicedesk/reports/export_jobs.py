"""Exports too long to wait for: over `BACKGROUND_OVER` rows the file is written by the task
worker, with its progress kept on the job, and downloaded from the job's page when done.

The rows are chosen again by the worker, by the same function the page uses (a *builder*, named
when the page registers it), for the person who asked: the access policy applies as on the page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.reports.exports import csv_lines, export_rows, xlsx_file
from servicedesk.reports.models import ExportJob, ExportState
from servicedesk.tickets.models import Ticket

logger = logging.getLogger(__name__)

BACKGROUND_OVER = 10_000
PROGRESS_EVERY = 2_000

Builder = Callable[[Person, QueryDict], QuerySet[Ticket]]
BUILDERS: dict[str, Builder] = {}


def register_builder(name: str, builder: Builder) -> None:
    """A page offering exports names the function that picks its tickets from its query."""
    BUILDERS[name] = builder


def export_start(
    *, owner: Person, source: str, params: QueryDict, fmt: str, title: str
) -> ExportJob:
    """Record the job and hand it to the worker once the row is committed."""
    job = ExportJob.objects.create(
        owner=owner, source=source, params=params.urlencode(), fmt=fmt, title=title[:120]
    )
    transaction.on_commit(lambda: _enqueue(job.key))
    return job


def _enqueue(key: uuid.UUID) -> None:
    from servicedesk.reports.tasks import run_export

    try:
        run_export.enqueue(str(key))
    except Exception:
        logger.exception("Could not enqueue export %s", key)


def _counted(rows: Iterable[list[object]], job: ExportJob) -> Iterator[list[object]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(done=done)
    ExportJob.objects.filter(pk=job.pk).update(done=done)


def export_run(key: uuid.UUID | str) -> ExportJob:
    """Write the job's file (run by the worker); a failure is kept on the job, not raised."""
    job = ExportJob.objects.select_related("owner").get(key=key)
    if job.state == ExportState.DONE:
        return job
    builder = BUILDERS.get(job.source)
    if builder is None:
        return _failed(job, f"Unknown export source {job.source!r}.")
    tickets = builder(job.owner, QueryDict(job.params))
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.RUNNING, total=tickets.count(), done=0
    )
    rows = _counted(export_rows(tickets), job)
    name = str(PurePosixPath(f"{job.title}-{timezone.localdate():%Y-%m-%d}.{job.fmt}"))
    try:
        if job.fmt == "xlsx":
            content = File(xlsx_file(rows), name=name)
        else:
            import tempfile

            handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, after saving
            for line in csv_lines(rows):
                handle.write(line.encode("utf-8"))
            handle.seek(0)
            content = File(handle, name=name)
        job.refresh_from_db()
        job.file.save(name, content, save=False)
        content.close()
    except Exception as broken:  # the worker must record any failure, whatever it is
        logger.exception("Export %s failed", key)
        return _failed(job, str(broken))
    job.state = ExportState.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "state", "finished_at"])
    return job


def _failed(job: ExportJob, why: str) -> ExportJob:
    job.state = ExportState.FAILED
    job.error = why[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job
