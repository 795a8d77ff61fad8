from django.db import models


class StatusKind(models.TextChoices):
    """What a status entry says about its service; the order is from worst to mildest."""

    OUTAGE = "outage", "Outage"
    DEGRADATION = "degradation", "Degradation"
    MAINTENANCE = "maintenance", "Planned maintenance"


# What an agent may declare on the spot; maintenance is scheduled ahead with its own service.
DECLARABLE_KINDS = (StatusKind.OUTAGE, StatusKind.DEGRADATION)


class UpdateStage(models.TextChoices):
    """Where the work stands, in the words status pages use."""

    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
