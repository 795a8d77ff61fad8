from django.db import models


class ChatState(models.TextChoices):
    WAITING = "waiting", "Waiting for an agent"
    ACTIVE = "active", "With an agent"
    ENDED = "ended", "Ended"


class ChatEventKind(models.TextChoices):
    """One line of a chat's record; each has an id that the live stream resumes from."""

    MESSAGE = "message", "Message"
    FILE = "file", "File"
    ACCEPTED = "accepted", "Agent joined"
    TRANSFERRED = "transferred", "Transferred"
    LEFT = "left", "Employee left"
    ENDED = "ended", "Ended"
    LINKED = "linked", "Linked to a ticket"
