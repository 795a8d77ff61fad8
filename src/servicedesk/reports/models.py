"""The shift reports' schedules and what was sent. Reports read tickets; they write only these."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.core.models import AppendOnlyModel

PERSON = settings.AUTH_USER_MODEL


class ShiftKind(models.TextChoices):
    MORNING = "morning", "Morning report"
    END_OF_SHIFT = "end_of_shift", "End-of-shift report"


class ShiftReportSchedule(models.Model):
    """When a shift report goes, to whom, and whose view of the tickets it shows.

    It goes at `send_at` on the calendar's business days (in the calendar's zone), once a day.
    """

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=ShiftKind.choices)
    send_at = models.TimeField(help_text="Local time of the calendar, e.g. 07:00 or 17:00.")
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.PROTECT,
        help_text="Its business days are the days the report goes; closed days are skipped.",
    )
    distribution_list = models.ForeignKey(
        "directory.DistributionList", on_delete=models.PROTECT, related_name="+"
    )
    viewer = models.ForeignKey(
        PERSON,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The report counts the tickets this person may see (usually the desk's "
        "manager), by the same rule as their ticket lists.",
    )
    is_active = models.BooleanField(default=True)
    note = models.TextField(
        blank=True,
        help_text="Information forwarded from application support, sent with the next report.",
    )
    note_by = models.ForeignKey(
        PERSON, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["send_at", "name"]

    def __str__(self) -> str:
        return self.name


class ShiftReportSend(AppendOnlyModel):
    """One report as it went: the period it covers, to whom, its text. Never changed."""

    key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Names its web version."
    )
    schedule = models.ForeignKey(
        ShiftReportSchedule, on_delete=models.PROTECT, related_name="sends"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        PERSON,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who pressed “send now”; empty when the schedule sent it.",
    )
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sent_at:%Y-%m-%d %H:%M})"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Writing"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


def export_file_name(instance: ExportJob, filename: str) -> str:
    """A generated path: the file is only ever reached through the job's download view."""
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ExportJob(models.Model):
    """A long export written in the background: who asked, what, how far along, the file."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40, help_text="The page whose tickets are exported.")
    params = models.TextField(blank=True, help_text="That page's query string.")
    fmt = models.CharField(max_length=4)
    title = models.CharField(max_length=120)
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_file_name, max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}.{self.fmt} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return min(99, 100 * self.done // self.total) if self.total else 0


class SubscriptionSource(models.TextChoices):
    SAVED_VIEW = "saved_view", "Saved view"
    DASHBOARD = "dashboard", "Dashboard"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Subscription(models.Model):
    """A saved view or the dashboard by mail, daily or weekly at a local time.

    A person's own (`distribution_list` empty, mailed to `viewer`) or a distribution list's (set up
    by an admin). Either way the mail shows the tickets `viewer` may see, through the access policy.
    Cancelled ones stay, with `cancelled_at`, as the record of what was asked.
    """

    key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Names its cancel link."
    )
    source = models.CharField(max_length=20, choices=SubscriptionSource.choices)
    saved_view = models.ForeignKey(
        "workspace.SavedView", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dashboard_query = models.CharField(
        max_length=200,
        blank=True,
        help_text="The dashboard's filters: the period's length in days, group, agency, service.",
    )
    viewer = models.ForeignKey(
        PERSON,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        help_text="The subscriber, or whose view of the tickets a list receives.",
    )
    distribution_list = models.ForeignKey(
        "directory.DistributionList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    send_at = models.TimeField()
    time_zone = models.CharField(max_length=64)
    created_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["send_at", "id"]
        indexes = [models.Index(fields=["cancelled_at"], name="subscription_active")]

    def __str__(self) -> str:
        what = self.saved_view.name if self.saved_view else "Dashboard"
        return f"{what} ({self.frequency} at {self.send_at:%H:%M})"
