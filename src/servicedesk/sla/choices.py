from django.db import models


class Metric(models.TextChoices):
    RESPONSE = "response", "Response"
    RESOLUTION = "resolution", "Restore / resolution"
    CATEGORIZE = "categorize", "Categorize"
    ACKNOWLEDGE = "acknowledge", "Acknowledge"


class TargetKind(models.TextChoices):
    """Mirrors `sla.engine.TargetKind`; stored on rules."""

    DURATION = "duration", "Duration (minutes of business time)"
    BUSINESS_DAYS = "business_days", "Business days"
    END_OF_NEXT_BUSINESS_DAY = "end_of_next_business_day", "End of next business day"
    NONE = "none", "No SLA (the clock pauses)"
    NO_CLOCK = "no_clock", "No SLA (no clock runs)"


# Kinds that promise nothing: the clock pauses (NONE) or is stopped as not applicable (NO_CLOCK).
NO_SLA_KINDS = frozenset({TargetKind.NONE, TargetKind.NO_CLOCK})


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Outcome(models.TextChoices):
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    NOT_APPLICABLE = "not_applicable", "No SLA"


class ClockEventKind(models.TextChoices):
    STARTED = "started", "Started"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    RETARGETED = "retargeted", "Retargeted"
    STOPPED = "stopped", "Stopped"
    REOPENED = "reopened", "Reopened"
    CANCELLED = "cancelled", "Cancelled"
    THRESHOLD = "threshold", "Threshold reached"
    BREACHED = "breached", "Breached"
