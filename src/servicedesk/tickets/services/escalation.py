"""Tiers of support (the justice network desk's escalation procedure): the desk escalates to an L2
team, L2 to the service lead, each with a reason; L2 resolves back to the desk, which verifies with
the customer and closes.

Decision (the justice network desk's escalation procedure, step 4): "resolve back to the desk" moves
the ticket to *resolved* (the resolution clock stops and the requester is asked to confirm or
dispute) and assigns it to the L1 group it came from, with nobody named; the desk's "Resolved, to
verify" queue lists it and a desk agent closes it once the customer confirms (or it closes itself
after the dispute window)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from servicedesk.directory.choices import Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets import history
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.events import TicketEvent, publish
from servicedesk.tickets.limits import check_lengths
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.collaboration import comment_add
from servicedesk.tickets.services.lifecycle import (
    locked,
    refuse,
    require_staff,
    ticket_assign,
    ticket_transition,
)

NEXT_TIER: dict[Tier, Tier] = {Tier.SERVICE_DESK: Tier.L2, Tier.L2: Tier.SERVICE_LEAD}
ESCALATE_ACTION = "ticket.escalate"
RESOLVE_TO_DESK_ACTION = "ticket.resolve_to_desk"


def current_tier(ticket: Ticket) -> Tier:
    """A ticket nobody has picked up yet is with the desk (L1)."""
    group = ticket.assignment_group
    return Tier(group.tier) if group is not None else Tier.SERVICE_DESK


def next_tier(ticket: Ticket) -> Tier | None:
    return NEXT_TIER.get(current_tier(ticket))


def _escalation_group(ticket: Ticket, tier: Tier, chosen: SupportGroup | None) -> SupportGroup:
    if chosen is not None:
        if chosen.tier != tier:
            raise refuse(
                TicketErrorCode.INVALID_VALUE,
                f"{chosen} is not at the next tier ({tier.label}).",
                field="group",
            )
        return chosen
    service_group = ticket.service.default_group if ticket.service else None
    if service_group is not None and service_group.tier == tier and service_group.is_active:
        return service_group
    if tier == Tier.SERVICE_LEAD:
        lead_group = SupportGroup.objects.filter(tier=tier, is_active=True).first()
        if lead_group is not None:
            return lead_group
    raise refuse(
        TicketErrorCode.REQUIRED,
        f"Choose the {tier.label} group to escalate to (the service names none).",
        field="group",
    )


@transaction.atomic
def ticket_escalate(
    ticket: Ticket,
    *,
    actor: Person,
    version: int | None,
    reason: str,
    group: SupportGroup | None = None,
) -> Ticket:
    """Hand the ticket to the next tier's group (the service's group for L2, the service lead
    group after that), unassigned, with the reason in history and as an internal note."""
    require_staff(actor, "escalate tickets")
    check_lengths(reason=reason)
    if not reason.strip():
        raise refuse(TicketErrorCode.NOTE_REQUIRED, "Say why you escalate.", field="reason")
    current = locked(ticket, version)
    tier_now = current_tier(current)
    tier_next = NEXT_TIER.get(tier_now)
    if tier_next is None:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is already with the {tier_now.label}; there is no tier above.",
            field="reason",
        )
    target = _escalation_group(current, tier_next, group)
    escalated = ticket_assign(current, actor=actor, version=current.version, group=target)
    history.record(escalated, actor, ESCALATE_ACTION, "tier", tier_now.label, tier_next.label)
    history.record(escalated, actor, ESCALATE_ACTION, "reason", "", reason.strip())
    comment_add(
        escalated,
        actor=actor,
        body=f"Escalated to {target} ({tier_next.label}): {reason.strip()}",
        internal=True,
    )
    publish(
        TicketEvent(
            ESCALATE_ACTION,
            escalated,
            actor,
            timezone.now(),
            changes={"tier": (tier_now.label, tier_next.label)},
            note=reason.strip(),
        )
    )
    return escalated


def desk_group_of(ticket: Ticket) -> SupportGroup | None:
    """The L1 group that last held the ticket (from its history), else the first L1 group."""
    entries = ticket.history.filter(field="assignment_group").order_by("-at", "-id")
    seen: list[int] = []
    for entry in entries.values_list("before", "after"):
        for value in entry:
            pk = value.partition(":")[0]
            if pk.isdigit():
                seen.append(int(pk))
    desks = SupportGroup.objects.filter(tier=Tier.SERVICE_DESK, is_active=True)
    by_pk = {group.pk: group for group in desks.filter(pk__in=seen)}
    for pk in seen:
        if pk in by_pk:
            return by_pk[pk]
    return desks.first()


@transaction.atomic
def ticket_resolve_to_desk(
    ticket: Ticket, *, actor: Person, version: int | None, note: str
) -> Ticket:
    """L2 fixed it: assign it back to the desk and resolve it with the note (the justice network
    desk's escalation procedure, step 4)."""
    require_staff(actor, "resolve tickets")
    check_lengths(note=note)
    if not note.strip():
        raise refuse(TicketErrorCode.NOTE_REQUIRED, "Say what fixed it.", field="note")
    current = locked(ticket, version)
    desk = desk_group_of(current)
    if desk is None:
        raise refuse(TicketErrorCode.REQUIRED, "No service desk (L1) group exists.", "group")
    if current.assignment_group != desk:
        current = ticket_assign(current, actor=actor, version=current.version, group=desk)
    resolved = ticket_transition(
        current, actor=actor, version=current.version, to=TicketState.RESOLVED, note=note
    )
    history.record(
        resolved, actor, RESOLVE_TO_DESK_ACTION, "assignment_group", "", f"{desk.pk}:{desk}"
    )
    return resolved
