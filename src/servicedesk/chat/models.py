"""A live chat between an employee and the desk, its record line by line, and who is available.

A chat is one record with a ticket: started from a ticket it belongs to that ticket from the
start; otherwise the agent turns it into a new ticket (channel "chat") or attaches it to one of
the employee's tickets, and the transcript becomes a public comment of that ticket.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone

from servicedesk.chat.choices import ChatEventKind, ChatState
from servicedesk.core.audit import audited

PERSON = settings.AUTH_USER_MODEL


class ChatSession(models.Model):
    requester = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    # The requester's agency when the chat started: which agents may see it (tickets.access).
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=ChatState.choices, default=ChatState.WAITING)
    agent = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set by a transfer to a group: only its people see the chat waiting.
    group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="chats"
    )
    topic = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    # The SLA engine's clock (Clock.to_dict()) of the first response.
    first_response_clock = models.JSONField(default=dict, blank=True)
    requester_left_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The last event already written into the ticket's transcript comment.
    transcribed_up_to = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="chat_state_created"),
            models.Index(fields=["agent", "state"], name="chat_agent_state"),
        ]

    def __str__(self) -> str:
        return f"Chat {self.pk} ({self.state})"


def chat_file_storage_name(instance: ChatEvent, filename: str) -> str:
    """A generated name: what a sender calls a file never becomes a path on our disk."""
    return str(PurePosixPath("chat", f"{timezone.now():%Y/%m}", uuid.uuid4().hex))


class ChatEvent(models.Model):
    """One line of the chat, stored before anyone is shown it; its id is the stream's event id."""

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=ChatEventKind.choices)
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, null=True, related_name="+")
    body = models.TextField(blank=True, help_text="Plain text, sanitised (nh3) before storing.")
    file = models.FileField(upload_to=chat_file_storage_name, max_length=200, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "id"], name="chat_event_session_id")]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.pk} {self.kind}"


@audited(fields=("max_chats",), record_creation=False)
class AgentChatStatus(models.Model):
    """Whether an agent takes chats now, and how many at once. Their limit is the
    configuration (audited); switching themselves on and off is their day's work, not audited."""

    agent = models.OneToOneField(PERSON, on_delete=models.CASCADE, related_name="chat_status")
    available = models.BooleanField(default=False)
    max_chats = models.PositiveSmallIntegerField(default=3)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "agent chat statuses"

    def __str__(self) -> str:
        return f"{self.agent_id}: {'available' if self.available else 'away'}"
