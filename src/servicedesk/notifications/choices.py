from django.db import models


class NotificationKind(models.TextChoices):
    """What a notification is about; each kind has one mail template an admin can edit."""

    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement of a new ticket"
    STATUS = "status", "Status update"
    RESOLUTION = "resolution", "Resolution (with the dispute window)"
    REPLY = "reply", "Public reply"
    ASSIGNMENT = "assignment", "Assigned to you"
    DUPLICATE = "duplicate", "Duplicate of your ticket"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACH = "sla_breach", "SLA breach"
    URGENT = "urgent", "Urgent message from a requester"
    GENERAL = "general", "Other (title and text given by the caller)"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class MailPriority(models.IntegerChoices):
    """Which mail goes first when many are due: a person waiting on their ticket before a
    broadcast (lower goes first)."""

    INTERACTIVE = 0, "Interactive (about one ticket, to its people)"
    BULK = 10, "Bulk (broadcasts, reports)"
