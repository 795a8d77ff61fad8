"""Ticket life cycle: create, update, assign, transition.

Writes to tickets. Each function is one transaction: it checks the rules, changes the rows,
appends history, and either does all of that or raises a `TicketError` and changes nothing.

Faces (portal, workspace, API, mail) call these; they never save a ticket themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from servicedesk.catalog.answers import RawValue
from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import Category, PriorityCode, RequestType, Service
from servicedesk.catalog.selectors import priority_from_matrix
from servicedesk.core.editions import reading_one_edition, reads_configuration
from servicedesk.core.text import without_invisible_controls
from servicedesk.directory.models import Agency, ExternalHelpDesk, Location, Person, SupportGroup
from servicedesk.sla.rules import active_rules
from servicedesk.sla.services import clocks_follow, clocks_insert, clocks_plan
from servicedesk.tickets import history
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.errors import StaleTicketError, TicketError, TicketErrorCode
from servicedesk.tickets.events import QUIET, EventName, TicketEvent, publish
from servicedesk.tickets.kept_relations import (
    CONFIGURATION_RELATED,
    PEOPLE_RELATED,
    keep_configuration,
)
from servicedesk.tickets.limits import LIMITS, check_lengths
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.numbering import next_number, number_before_transaction
from servicedesk.tickets.requester_rules import may_file_for
from servicedesk.tickets.scheduled_work import is_scheduled_work
from servicedesk.tickets.services.answers import answers_checked, answers_record
from servicedesk.tickets.services.chart_check import priority_code_category_check
from servicedesk.tickets.services.overdue_first import (
    approval_record,
    approved_since_last_assignment,
    overdue_first_check,
)
from servicedesk.tickets.workflow import (
    FINAL_STATES,
    OPEN_STATES,
    STATES_NEEDING_NOTE,
    can_transition,
)

# What a requester may set on their own ticket; everything else is the desk's to decide.
REQUESTER_FIELDS = frozenset({"short_description", "description"})
UPDATABLE_FIELDS = frozenset(
    {
        "short_description",
        "description",
        "channel",
        "agency",
        "location",
        "service",
        "category",
        "priority_code",
        "request_type",
        "impact",
        "severity",
        "priority",
        "priority_override_reason",
        "requester",
    }
)
TRIAGE_FIELDS_AT_CREATION = ("impact", "severity", "priority", "assignment_group", "assignee")


def refuse(code: TicketErrorCode, message: str, field: str | None = None) -> TicketError:
    return TicketError(code, message, field=field)


# What history snapshots read: fetched with the lock, so a change costs one read, not twelve.
# Inside `one_edition()`, as the services run, the configuration among them comes from the rows
# the process keeps and only the people are joined (`tickets.kept_relations`).
SNAPSHOT_RELATED = (
    "requester",
    "requested_by",
    "agency",
    "location__agency",  # a location's name in history says its agency
    "service",
    "category",
    "priority_code",
    "request_type",
    "assignment_group",
    "assignee",
    "redirected_to",
)
SNAPSHOT_CONFIGURATION = tuple(CONFIGURATION_RELATED)


def locked(ticket: Ticket, version: int | None) -> Ticket:
    """The ticket's current row, locked for this transaction, checked against the version read."""
    rows = Ticket.objects.select_for_update(of=("self",))
    if reading_one_edition():
        current = rows.select_related(*PEOPLE_RELATED).get(pk=ticket.pk)
        keep_configuration(current, SNAPSHOT_CONFIGURATION)
    else:
        current = rows.select_related(*SNAPSHOT_RELATED).get(pk=ticket.pk)
    if version is not None and current.version != version:
        raise StaleTicketError(current_version=current.version, expected_version=version)
    return current


def require_staff(actor: Person, what: str) -> None:
    if not actor.is_staff_member:
        raise refuse(TicketErrorCode.NOT_PERMITTED, f"Only service desk staff can {what}.")


def _resolve_priority(
    *,
    impact: str,
    severity: str,
    requested: str | None,
    reason: str,
    request_type: RequestType | None,
) -> tuple[str, str]:
    """(priority, override reason): the matrix decides unless someone overrides it with a reason."""
    from_matrix = priority_from_matrix(impact, severity) if impact and severity else None
    if requested:
        if requested not in Priority.values:
            raise refuse(
                TicketErrorCode.INVALID_VALUE,
                f"'{requested}' is not a priority; use one of {', '.join(Priority.values)}.",
                field="priority",
            )
        if from_matrix is not None and requested == from_matrix:
            return requested, ""
        if not reason.strip():
            expected = from_matrix.label if from_matrix else "none (not triaged)"
            raise refuse(
                TicketErrorCode.OVERRIDE_REASON_REQUIRED,
                f"The priority matrix gives {expected}; say why this ticket should be "
                f"{Priority(requested).label}.",
                field="priority_override_reason",
            )
        return requested, reason.strip()
    if from_matrix is not None:
        return from_matrix.value, ""
    if request_type is not None:
        return request_type.default_priority, ""
    return "", ""


def _check_assignee(group: SupportGroup | None, assignee: Person | None) -> None:
    if assignee is None:
        return
    if not assignee.is_staff_member:
        raise refuse(
            TicketErrorCode.ASSIGNEE_NOT_STAFF,
            f"{assignee} is not service desk staff and cannot be assigned tickets.",
            field="assignee",
        )
    if group is not None and not group.members.filter(pk=assignee.pk).exists():
        raise refuse(
            TicketErrorCode.ASSIGNEE_NOT_IN_GROUP,
            f"{assignee} is not a member of {group}.",
            field="assignee",
        )


@reads_configuration
def ticket_create(
    *,
    actor: Person,
    kind: TicketKind,
    short_description: str,
    description: str = "",
    requester: Person | None = None,
    channel: Channel = Channel.PORTAL,
    affected_people: Iterable[Person] = (),
    agency: Agency | None = None,
    location: Location | None = None,
    service: Service | None = None,
    category: Category | None = None,
    priority_code: PriorityCode | None = None,
    request_type: RequestType | None = None,
    impact: Impact | str = "",
    severity: Severity | str = "",
    priority: Priority | str | None = None,
    priority_override_reason: str = "",
    assignment_group: SupportGroup | None = None,
    assignee: Person | None = None,
    received_at: datetime | None = None,
    answers: Mapping[str, RawValue] | None = None,
    approval_reason: str = "",
) -> Ticket:
    """File a ticket. `received_at`: when staff log a call or a voicemail after the fact, the
    time it came in; the ticket counts from then, and so do its SLA clocks. Scheduled work filed
    straight to a person ahead of overdue work needs a supervisor's `approval_reason`. The checks
    run first, the writes in one transaction."""
    requester = requester or actor
    short_description = without_invisible_controls(short_description)
    check_lengths(
        short_description=short_description,
        description=description,
        priority_override_reason=priority_override_reason,
    )
    now = timezone.now()
    _check_received_at(actor, received_at, now)
    if not short_description.strip():
        raise refuse(
            TicketErrorCode.REQUIRED, "A short description is required.", "short_description"
        )
    if not may_file_for(actor, requester):
        raise refuse(
            TicketErrorCode.NOT_PERMITTED,
            "You can file for colleagues of your own agency; the service desk files for anyone.",
            "requester",
        )
    typed_answers = answers_checked(request_type, answers, actor=actor)
    if not actor.is_staff_member:
        given = {
            "impact": impact,
            "severity": severity,
            "priority": priority,
            "assignment_group": assignment_group,
            "assignee": assignee,
        }
        for name in TRIAGE_FIELDS_AT_CREATION:
            if given[name]:
                raise refuse(
                    TicketErrorCode.NOT_PERMITTED,
                    f"The service desk sets the {name.replace('_', ' ')}.",
                    name,
                )
        if agency is not None and agency.pk != requester.agency_id:
            # The agency decides who may know the ticket (`tickets.access`): a requester's
            # tickets are their own agency's, never one they name.
            raise refuse(
                TicketErrorCode.NOT_PERMITTED,
                "Your tickets belong to your own agency; leave the agency out.",
                "agency",
            )
    if assignment_group is None and service is not None:
        assignment_group = service.default_group
    if request_type is not None:
        assignment_group = assignment_group or request_type.default_group
        default_code = request_type.default_priority_code
        # The type's default code only where it fits the category chosen for the ticket.
        if priority_code is None and (
            category is None
            or (default_code is not None and default_code.category_id == category.pk)
        ):
            priority_code = default_code
    _check_assignee(assignment_group, assignee)
    category = priority_code_category_check(
        category=category or (request_type.default_category if request_type else None),
        priority_code=priority_code,
    )
    approval = overdue_first_check(
        Ticket(category=category),
        actor=actor,
        group=assignment_group,
        assignee=assignee,
        approval_reason=approval_reason,
    )
    resolved_priority, reason = _resolve_priority(
        impact=impact,
        severity=severity,
        requested=priority,
        reason=priority_override_reason,
        request_type=request_type,
    )
    location = location or requester.location
    # The ticket, its SLA clocks and the configuration they need come before the transaction:
    # on SQLite it holds the one write lock from its first statement, so every filing waits
    # only for the others' writes, not for their planning.
    ticket = Ticket(
        kind=kind,
        state=TicketState.ASSIGNED if assignee else TicketState.NEW,
        short_description=short_description.strip(),
        description=description,
        requester=requester,
        requested_by=actor,
        channel=channel,
        agency=agency or requester.agency or (location.agency if location else None),
        location=location,
        service=service,
        category=category,
        priority_code=priority_code,
        request_type=request_type,
        impact=impact,
        severity=severity,
        priority=resolved_priority,
        priority_override_reason=reason,
        assignment_group=assignment_group,
        assignee=assignee,
        created_at=received_at or now,
        updated_at=now,
    )
    clocks = clocks_plan(ticket, actor, rules=active_rules())
    number = number_before_transaction(kind)
    with transaction.atomic():
        ticket.number = number or next_number(kind)
        ticket.save(force_insert=True)
        people = list({person.pk: person for person in affected_people}.values())
        # A new ticket has no affected people yet: insert the links, nothing to compare with.
        Ticket.affected_people.through.objects.bulk_create(
            Ticket.affected_people.through(ticket_id=ticket.pk, person_id=person.pk)
            for person in people
        )
        created = [("number", ticket.number)]
        if received_at is not None:
            created.append(("received_at", received_at.isoformat()))
        if people:
            created.append(("affected_people", history.people_text(people)))
        history.record_many(
            ((ticket, field, after) for field, after in created),
            actor=actor,
            action="ticket.create",
        )
        answers_record(ticket, actor=actor, answers=typed_answers)
        if assignee is not None:
            approval_record(ticket, actor=actor, assignee=assignee, reason=approval)
        clocks_insert(clocks)
        publish(TicketEvent(EventName.CREATE, ticket, actor, now))
    return ticket


# A call logged later than this after it came in is more likely a typo than a late log.
RECEIVED_AT_MOST_AGO = timedelta(days=14)


def _check_received_at(actor: Person, received_at: datetime | None, now: datetime) -> None:
    if received_at is None:
        return
    if not actor.is_staff_member:
        raise refuse(
            TicketErrorCode.NOT_PERMITTED, "Only the desk sets when a call came in.", "received_at"
        )
    if received_at > now:
        raise refuse(
            TicketErrorCode.INVALID_VALUE, "A call cannot come in the future.", "received_at"
        )
    if now - received_at > RECEIVED_AT_MOST_AGO:
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            "That is more than two weeks ago: check the date.",
            "received_at",
        )


def _save(
    ticket: Ticket,
    actor: Person | None,
    action: str,
    before: history.Snapshot,
    note: str = "",
    data: Mapping[str, object] | None = None,
) -> Ticket:
    ticket.version += 1
    ticket.updated_at = timezone.now()
    ticket.save()
    after = history.snapshot(ticket)
    history.record_changes(ticket, actor, action, before, after)
    clocks_follow(ticket, actor, before, after)
    changes = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    publish(
        TicketEvent(
            action, ticket, actor, ticket.updated_at, changes=changes, note=note, data=data or {}
        )
    )
    return ticket


# For the sibling service modules that change a field of their own (maintenance's planned date).
save_changes = _save


@reads_configuration  # before the transaction: one query, outside it
@transaction.atomic
def ticket_update(
    ticket: Ticket, *, actor: Person, version: int | None, changes: Mapping[str, Any]
) -> Ticket:
    """Change triage and descriptive fields; assignment and state have their own services."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise refuse(TicketErrorCode.UNKNOWN_FIELD, f"'{name}' cannot be changed here.", name)
    if not actor.is_staff_member and set(changes) - REQUESTER_FIELDS:
        name = sorted(set(changes) - REQUESTER_FIELDS)[0]
        raise refuse(
            TicketErrorCode.NOT_PERMITTED,
            f"The service desk sets the {name.replace('_', ' ')}.",
            name,
        )
    check_lengths(**{name: value for name, value in changes.items() if name in LIMITS})
    current = locked(ticket, version)
    if current.state in FINAL_STATES:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {current.get_state_display().lower()} and can no longer change.",
        )
    before = history.snapshot(current)
    for name, value in changes.items():
        if name not in {"priority", "priority_override_reason"}:
            setattr(current, name, value)
    if "short_description" in changes and not str(changes["short_description"]).strip():
        raise refuse(
            TicketErrorCode.REQUIRED, "A short description is required.", "short_description"
        )
    if {"category", "priority_code"} & set(changes):
        current.category = priority_code_category_check(
            category=current.category, priority_code=current.priority_code
        )
    if {"impact", "severity", "priority", "request_type"} & set(changes):
        current.priority, current.priority_override_reason = _resolve_priority(
            impact=current.impact,
            severity=current.severity,
            requested=changes.get("priority"),
            reason=changes.get("priority_override_reason", ""),
            request_type=current.request_type,
        )
    return _save(current, actor, EventName.UPDATE, before)


@reads_configuration  # before the transaction: one query, outside it
@transaction.atomic
def ticket_assign(
    ticket: Ticket,
    *,
    actor: Person,
    version: int | None,
    group: SupportGroup | None,
    assignee: Person | None = None,
    approval_reason: str = "",
) -> Ticket:
    """Assign to a group, a person in it, or both. Scheduled work reaching a person ahead of
    overdue work needs a supervisor's `approval_reason` (`overdue_first`)."""
    require_staff(actor, "assign tickets")
    current = locked(ticket, version)
    if current.state not in OPEN_STATES:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {current.get_state_display().lower()}; reopen it to reassign.",
        )
    if group is None and assignee is None:
        raise refuse(TicketErrorCode.REQUIRED, "Choose a group or a person to assign to.", "group")
    group = group or current.assignment_group
    _check_assignee(group, assignee)
    reaches_someone = assignee is not None and assignee != current.assignee
    approval = overdue_first_check(
        current,
        actor=actor,
        group=group,
        assignee=assignee if reaches_someone else None,
        approval_reason=approval_reason,
    )
    before = history.snapshot(current)
    current.assignment_group = group
    current.assignee = assignee
    if current.state == TicketState.NEW:
        current.state = TicketState.ASSIGNED
    saved = _save(current, actor, EventName.ASSIGN, before)
    if assignee is not None:
        approval_record(saved, actor=actor, assignee=assignee, reason=approval)
    return saved


def _check_may_transition(actor: Person, ticket: Ticket, target: TicketState) -> None:
    if actor.is_staff_member:
        return
    is_own = actor.pk in (ticket.requester_id, ticket.requested_by_id)
    confirming_or_disputing = ticket.state == TicketState.RESOLVED and target in {
        TicketState.CLOSED,
        TicketState.IN_PROGRESS,
    }
    withdrawing = ticket.state in OPEN_STATES and target == TicketState.CANCELLED
    if not (is_own and (confirming_or_disputing or withdrawing)):
        raise refuse(
            TicketErrorCode.NOT_PERMITTED,
            f"Only the service desk can move this ticket to {TicketState(target).label.lower()}.",
        )


def _check_open_tasks(actor: Person, ticket: Ticket, force_reason: str) -> None:
    from servicedesk.tickets.selectors import open_tasks

    children = list(open_tasks(ticket))
    if not children:
        return
    if not force_reason.strip():
        numbers = ", ".join(child.number for child in children)
        raise refuse(
            TicketErrorCode.OPEN_TASKS,
            f"{ticket.number} still has open tasks ({numbers}); close them first, or a lead "
            "can force it with a reason.",
        )
    if not actor.is_lead:
        raise refuse(
            TicketErrorCode.FORCE_NOT_ALLOWED, "Only a lead can close a ticket with open tasks."
        )


@reads_configuration  # before the transaction: one query, outside it
@transaction.atomic
def ticket_transition(
    ticket: Ticket,
    *,
    actor: Person,
    version: int | None,
    to: TicketState,
    note: str = "",
    help_desk: ExternalHelpDesk | None = None,
    force_reason: str = "",
    quiet: bool = False,
    approval_reason: str = "",
) -> Ticket:
    """Move a ticket to another state. `quiet`: the caller tells the people concerned itself
    (a major incident's resolution sends each person one message for all their tickets), so
    the per-ticket status mail is not sent."""
    check_lengths(note=note, force_reason=force_reason)
    current = locked(ticket, version)
    state = TicketState(current.state)
    target = TicketState(to)
    if not can_transition(state, target):
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {state.label.lower()}; it cannot move to {target.label.lower()}.",
            "state",
        )
    _check_may_transition(actor, current, target)
    if target in STATES_NEEDING_NOTE and not note.strip():
        raise refuse(
            TicketErrorCode.NOTE_REQUIRED,
            f"Say why the ticket is {target.label.lower()}: a note is required.",
            "note",
        )
    if target == TicketState.REDIRECTED and help_desk is None:
        raise refuse(
            TicketErrorCode.HELP_DESK_REQUIRED,
            "Choose the help desk this ticket belongs to.",
            "help_desk",
        )
    if target in {TicketState.RESOLVED, TicketState.CLOSED}:
        _check_open_tasks(actor, current, force_reason)
    approval = _overdue_first_on_start(current, actor, target, approval_reason)
    before = history.snapshot(current)
    now = timezone.now()
    current.state = target
    if target == TicketState.RESOLVED:
        current.resolved_at = now
        current.resolution_note = note.strip()
    elif target == TicketState.CLOSED:
        current.closed_at = now
    elif target == TicketState.REDIRECTED:
        current.redirected_to = help_desk
        current.closed_at = now
    elif target == TicketState.CANCELLED:
        current.closed_at = now
        current.resolution_note = note.strip()
    elif state == TicketState.RESOLVED:
        current.resolved_at = None
    saved = _save(
        current,
        actor,
        EventName.transition(target.value),
        before,
        note.strip(),
        data={QUIET: True} if quiet else None,
    )
    if note.strip() and target not in STATES_NEEDING_NOTE:
        history.record(saved, actor, f"ticket.{target.value}", "note", "", note.strip())
    if force_reason.strip():
        history.record(saved, actor, "ticket.force_close", "open_tasks", "", force_reason.strip())
    if approval and saved.assignee is not None:
        approval_record(saved, actor=actor, assignee=saved.assignee, reason=approval)
    return saved


# Moving into these states puts the assignee to work on the ticket.
WORKING_STATES = frozenset({TicketState.ASSIGNED, TicketState.IN_PROGRESS})


def _overdue_first_on_start(
    ticket: Ticket, actor: Person, target: TicketState, approval_reason: str
) -> str:
    """Starting (or resuming) scheduled work is the discipline's concern too, unless its latest
    assignment was approved to go ahead."""
    starts = target == TicketState.IN_PROGRESS or (
        target == TicketState.ASSIGNED and ticket.state not in WORKING_STATES
    )
    if not starts or ticket.state == target or ticket.assignee is None:
        return ""
    if not is_scheduled_work(ticket) or approved_since_last_assignment(ticket):
        return ""
    return overdue_first_check(
        ticket,
        actor=actor,
        group=ticket.assignment_group,
        assignee=ticket.assignee,
        approval_reason=approval_reason,
    )


@transaction.atomic
def ticket_set_affected(
    ticket: Ticket, *, actor: Person, people: Iterable[Person], action: str = "ticket.affected"
) -> Ticket:
    current = locked(ticket, None)
    before = history.people_text(current.affected_people.all())
    current.affected_people.set(list(people))
    after = history.people_text(current.affected_people.all())
    if before != after:
        history.record(current, actor, action, "affected_people", before, after)
        now = timezone.now()
        Ticket.objects.filter(pk=current.pk).update(updated_at=now)
        publish(
            TicketEvent(
                EventName.AFFECTED,
                current,
                actor,
                now,
                changes={"affected_people": (before, after)},
            )
        )
    return current
