from django.db import models


class TicketKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REQUEST = "request", "Service request"
    PROBLEM = "problem", "Problem"
    TASK = "task", "Task"


NUMBER_PREFIX = {
    TicketKind.INCIDENT: "INC",
    TicketKind.REQUEST: "REQ",
    TicketKind.PROBLEM: "PRB",
    TicketKind.TASK: "TASK",
}


class TicketState(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
    AWAITING_VENDOR = "awaiting_vendor", "Awaiting vendor"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    REDIRECTED = "redirected", "Redirected to another help desk"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    VOICEMAIL = "voicemail", "Voicemail"
    CHAT = "chat", "Chat"
    WALK_IN = "walk_in", "Walk-in"
    MONITORING = "monitoring", "Monitoring"
    API = "api", "API"


class LinkKind(models.TextChoices):
    DUPLICATE_OF = "duplicate_of", "Duplicate of"
    RELATED_TO = "related_to", "Related to"
    CHILD_OF = "child_of", "Child of"
    CAUSED_BY = "caused_by", "Caused by problem"
