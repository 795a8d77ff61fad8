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


class DeclaredFrom(models.TextChoices):
    """Where a major incident was declared from."""

    INCIDENT = "incident", "An incident"
    OUTAGE = "outage", "An outage on the status page"
    MONITORING = "monitoring", "A monitoring event"


class Audience(models.TextChoices):
    """Who an update of a major incident goes to."""

    STATUS_PAGE = "status_page", "Portal status page"
    GREETING = "greeting", "Phone greeting"
    PARTNERS = "partners", "Partner distribution lists"
    CONTACTS = "contacts", "Named contacts (sponsors, registrars, …)"
    AFFECTED = "affected", "Everyone affected"
    TEAM = "team", "The incident team (internal)"


# Audiences outside the incident team: an internal note never goes to any of them.
EXTERNAL_AUDIENCES = frozenset(
    {
        Audience.STATUS_PAGE,
        Audience.GREETING,
        Audience.PARTNERS,
        Audience.CONTACTS,
        Audience.AFFECTED,
    }
)
# Audiences that are mailed (and so are told of a correction).
MAILED_AUDIENCES = frozenset(
    {Audience.PARTNERS, Audience.CONTACTS, Audience.AFFECTED, Audience.TEAM}
)


class CommunicationKind(models.TextChoices):
    UPDATE = "update", "Update"
    CORRECTION = "correction", "Correction"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    RESOLUTION = "resolution", "Resolution"
