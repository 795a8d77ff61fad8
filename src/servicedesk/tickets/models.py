"""Incidents, service requests, problems and tasks, with their comments, files, links and history.

Rows here are written only by `tickets.services`; read them through `tickets.selectors`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from servicedesk.catalog.choices import FieldKind, Impact, Priority, Severity
from servicedesk.core.models import AppendOnlyModel
from servicedesk.core.text import without_invisible_controls
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind, TicketState
from servicedesk.tickets.workflow import OPEN_STATES, PAUSED_STATES

PERSON = settings.AUTH_USER_MODEL
# Sorted: the migrations' copy of an index's condition stays the same from run to run.
OPEN_STATE_VALUES = sorted(state.value for state in OPEN_STATES)
PAUSED_STATE_VALUES = sorted(state.value for state in PAUSED_STATES)


class NumberCounter(models.Model):
    """The last number handed out per kind; incremented atomically in the database."""

    kind = models.CharField(max_length=10, choices=TicketKind.choices, primary_key=True)
    last = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind}: {self.last}"


class Ticket(models.Model):
    number = models.CharField(max_length=16, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=TicketKind.choices)
    state = models.CharField(max_length=20, choices=TicketState.choices, default=TicketState.NEW)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change.")

    short_description = models.CharField(max_length=160)
    description = models.TextField(blank=True)

    # Every index of this table is written again whenever a ticket's due time moves (a holiday
    # re-plans a million of them, see sla/replan.py), so a column gets an index of its own only
    # where a page needs it: these four lead an index of Meta.indexes; the catalog's keys are
    # looked up only when an admin deletes an entry (a scan, once) or within a report's period
    # (its created_at range first).
    requester = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    requested_by = models.ForeignKey(
        PERSON,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text="Who filed it: the requester, or an agent or lead on their behalf.",
    )
    affected_people: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        PERSON, blank=True, related_name="affected_by"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.PORTAL)

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.ForeignKey(
        "directory.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    priority_code = models.ForeignKey(
        "catalog.PriorityCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    request_type = models.ForeignKey(
        "catalog.RequestType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    impact = models.CharField(max_length=20, choices=Impact.choices, blank=True)
    severity = models.CharField(max_length=20, choices=Severity.choices, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    priority_override_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the priority differs from the matrix."
    )

    assignment_group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        PERSON,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    redirected_to = models.ForeignKey(
        "directory.ExternalHelpDesk",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # see Meta.indexes: only the redirected tickets are indexed
    )
    resolution_note = models.TextField(blank=True)
    planned_for = models.DateField(
        null=True, blank=True, help_text="Scheduled maintenance: the day the work is planned for."
    )
    follow_up_reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Scheduled maintenance: when the assignee was last reminded to add a status "
        "note (at most once a week; see tickets.services.maintenance).",
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "priority"], name="ticket_state_priority"),
            models.Index(fields=["assignment_group", "state"], name="ticket_group_state"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state"),
            # The workspace home's list of the agent's own open tickets, most urgent first: a
            # page straight from the index (measured at a million tickets: 14 ms → 1 ms).
            models.Index(
                fields=["assignee", "priority", "created_at"],
                name="ticket_assignee_open_priority",
                condition=Q(state__in=OPEN_STATE_VALUES),
            ),
            # A person's newest tickets (the portal home) as newest-first look-ups per way of
            # following a ticket, however many they filed (tickets.access.newest_followed_ids).
            # A requester's tickets in a given state are read here too, their state checked on
            # the row: a person files few enough, and one index less is written each time a
            # due time moves.
            models.Index(fields=["requester", "created_at"], name="ticket_requester_created"),
            models.Index(fields=["requested_by", "created_at"], name="ticket_filer_created"),
            # Covers tickets.access's condition, so a queue's count for an agent whose groups
            # serve named agencies reads only this index (measured at 100,000 tickets on SQLite:
            # 40 ms → 6 ms). On PostgreSQL it also carries what else the counts of the queues
            # by state ask of a ticket (`queues.STATE_SCOPE_ORDER`): its key, for the tickets the
            # agent follows, and the uncategorized queue's kind and category. Each count of the
            # scoped agent's home then reads the index alone (at a million tickets, 1,750
            # pages → 40 and 1.2 → 0.45 ms a count). SQLite keeps the key columns only.
            models.Index(
                fields=["state", "agency", "assignment_group", "assignee"],
                name="ticket_state_scope",
                include=["id", "kind", "category"],
            ),
            # The reports: the open backlog by age, and what was resolved or closed in a period.
            models.Index(fields=["state", "created_at"], name="ticket_state_created"),
            # Only the tickets that have the date: an open ticket's due time moves without
            # writing an entry into either (a range implies the date is there, so both
            # databases use them).
            models.Index(
                fields=["resolved_at"],
                name="ticket_resolved_at",
                condition=Q(resolved_at__isnull=False),
            ),
            models.Index(
                fields=["closed_at"], name="ticket_closed_at", condition=Q(closed_at__isnull=False)
            ),
            models.Index(
                fields=["redirected_to"],
                name="ticket_redirected_to",
                condition=Q(redirected_to__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.short_description}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever face it came from, a title is shown as typed, never disguised.
        self.short_description = without_invisible_controls(self.short_description)
        super().save(*args, **kwargs)


# The queues' order, and the keys the access policy checks beside it (`QueueOrder`'s indexes).
QUEUE_ORDER_KEY = ("resolution_due_at", "priority", "created_at", "ticket")
QUEUE_ORDER_SCOPE = ("agency_id", "assignment_group_id", "assignee_id")


class QueueOrder(models.Model):
    """A ticket's place in the queues' default order: its running resolution clock's due time
    beside copies of its state, priority, age and access keys, one row a ticket, kept by the
    database's triggers (`tickets.queue_order`, `sla.resolution_due`).

    Why a table of its own: a due time moves far more often than anything else of a ticket (a
    holiday added re-plans a million of them). In an index of the tickets, each move would write
    a new entry into every index of that table; here it writes into these two and the key."""

    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.DO_NOTHING,  # the database's trigger removes the row with its ticket
        db_constraint=False,
        primary_key=True,
        related_name="queue_order",
    )
    state = models.CharField(max_length=20, choices=TicketState.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    created_at = models.DateTimeField()
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # Copies of the ticket's keys that the access policy asks of staff (`tickets.access`): a
    # walked queue checks them in the index it walks, without a look-up of each ticket.
    agency_id = models.BigIntegerField(null=True, blank=True)
    assignment_group_id = models.BigIntegerField(null=True, blank=True)
    assignee_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # A queue page in the queues' default order (due, priority, age) straight from the
            # index, among open tickets only (measured at a million tickets on PostgreSQL: the
            # all-open page 2.6 s → 18 ms, see bench/README.md), with the access policy's keys
            # last, so that a scoped agent's walk reads no ticket it may not see.
            models.Index(
                # Ascending is NULLs last on PostgreSQL, as the queues sort (SQLite does not
                # take NULLS LAST in an index).
                fields=[*QUEUE_ORDER_KEY, *QUEUE_ORDER_SCOPE],
                name="queue_open_due",
                condition=Q(state__in=OPEN_STATE_VALUES),
            ),
            # The same for the waiting queue, whose tickets' clocks are paused (no due time):
            # in the index above they would come after every running one (97,000 entries
            # walked at a million tickets, 66 ms; with this one, a page's worth).
            models.Index(
                fields=[*QUEUE_ORDER_KEY, *QUEUE_ORDER_SCOPE],
                name="queue_waiting_due",
                condition=Q(state__in=PAUSED_STATE_VALUES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} due {self.resolution_due_at}"


class Comment(models.Model):
    """A public reply (seen by the requester) or an internal note (staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        kind = "note" if self.is_internal else "reply"
        return f"{kind} on {self.ticket_id} by {self.author_id}"


def attachment_storage_name(instance: Attachment, filename: str) -> str:
    """A generated name: what an uploader calls a file never becomes a path on our disk."""
    today = timezone.now()
    return str(PurePosixPath("attachments", f"{today:%Y/%m}", uuid.uuid4().hex))


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_storage_name, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


class TicketLink(models.Model):
    """`source` <kind> `target`: INC2 duplicate_of INC1, TASK5 child_of INC1, INC3 caused_by PRB."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="link_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class TicketWatcher(models.Model):
    """Someone (a manager, a colleague) who follows a ticket's updates without being on it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="watching")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "person"], name="watcher_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} watches {self.ticket_id}"


class TicketHistory(AppendOnlyModel):
    """One change of one ticket: who, when, what, before and after. Never edited or deleted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=40, help_text="Dotted name, e.g. ticket.assign.")
    field = models.CharField(max_length=40, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "ticket history"
        indexes = [
            # The reports count changes of one field in a period (reopens, disputes).
            models.Index(fields=["field", "at"], name="history_field_at"),
            # The queues mark urgent and approved-ahead tickets by their entries of one action.
            models.Index(fields=["action", "ticket"], name="history_action_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.field}: {self.before!r} → {self.after!r}"


# --- Drafts and satisfaction surveys (the requester's portal) --------------------------------


class TicketDraft(models.Model):
    """A ticket being written, kept until its owner submits or deletes it (survives sign-out)."""

    owner = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="ticket_drafts")
    kind = models.CharField(max_length=10, choices=TicketKind.choices)
    requester = models.ForeignKey(
        PERSON,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whom the ticket is for when staff file on someone's behalf; empty: the owner.",
    )
    short_description = models.CharField(max_length=160, blank=True)
    description = models.TextField(blank=True)
    affected_people: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        PERSON, blank=True, related_name="+"
    )
    request_type = models.ForeignKey(
        "catalog.RequestType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(
        default=dict, blank=True, help_text="The form's answers as typed, checked on submit."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"draft {self.kind} by {self.owner_id}: {self.short_description or '(untitled)'}"


def draft_attachment_storage_name(instance: DraftAttachment, filename: str) -> str:
    """Generated, like ticket attachments: the uploader's name is only ever shown, never used."""
    return str(PurePosixPath("drafts", f"{timezone.now():%Y/%m}", uuid.uuid4().hex))


class DraftAttachment(models.Model):
    """A file staged on a draft; it becomes an `Attachment` when the draft is submitted."""

    draft = models.ForeignKey(TicketDraft, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=draft_attachment_storage_name, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SatisfactionSurvey(models.Model):
    """The requester's one answer to "how did we do?" after a ticket is closed."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.PROTECT, related_name="satisfaction_survey"
    )
    respondent = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(help_text="1 (very poor) to 5 (excellent).")
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.ticket_id}"


# --- Answers to a request type's form (the portal's catalog) ------------------------------


class RequestAnswer(models.Model):
    """One answer to one question of a request type's form, stored by its kind.

    The question's label and kind are copied, so an admin editing the form later changes
    nothing of what a requester answered. `text` is the answer as read (also for dates, choices
    and people), which is what the queue search looks in.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="answers")
    field = models.ForeignKey(
        "catalog.RequestTypeField",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=FieldKind.choices)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    person = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    options = models.JSONField(default=list, blank=True, help_text="The options chosen.")

    class Meta:
        ordering = ["ticket", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "key"], name="request_answer_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text}"
