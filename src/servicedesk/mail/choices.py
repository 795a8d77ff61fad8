from django.db import models


class InboundState(models.TextChoices):
    RECEIVED = "received", "Received (not yet processed)"
    PROCESSED = "processed", "Processed"
    QUARANTINED = "quarantined", "Quarantined (waits for an agent)"
    FAILED = "failed", "Failed (malformed)"
    IGNORED = "ignored", "Ignored (automatic mail)"


class UnknownSenderPolicy(models.TextChoices):
    QUARANTINE = "quarantine", "Quarantine for an agent"
    CREATE = "create", "Create a requester"
