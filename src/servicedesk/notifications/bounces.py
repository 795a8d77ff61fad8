"""Addresses our mail cannot reach: marked when a bounce comes back, cleared by a person.

While an address is marked, delivery fails its mail at once (saying why) instead of sending it
again and again into the same bounce. The mail app ties each bounce to the mail of ours that
failed and calls `address_mark_undeliverable`; staff clear the mark (`address_clear`) once the
address is fixed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from servicedesk.core.audit import acting_as
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.models import OutboundEmail, UndeliverableAddress

BOUNCED_ERROR = "bounced: "
MARKED_ERROR = "not sent: the address is marked undeliverable after a bounce"


def _normal(address: str) -> str:
    return address.strip().strip("<>").lower()


@transaction.atomic
def address_mark_undeliverable(
    address: str, *, reason: str, outbound: OutboundEmail | None = None
) -> UndeliverableAddress:
    """Mark `address` (again); the mail that bounced, if known, is recorded as failed."""
    normal = _normal(address)
    mark, created = UndeliverableAddress.objects.select_for_update().get_or_create(
        address=normal, defaults={"reason": reason[:2000], "outbound": outbound}
    )
    if not created:
        mark.reason = reason[:2000]
        mark.bounced_at = timezone.now()
        mark.bounces += 1  # the row is locked: no lost count
        mark.outbound = outbound or mark.outbound
        mark.cleared_at = None
        mark.cleared_by = None
        mark.save()
    if outbound is not None:
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            state=DeliveryState.FAILED, last_error=f"{BOUNCED_ERROR}{reason}"[:2000]
        )
    return mark


@transaction.atomic
def address_clear(mark: UndeliverableAddress, *, actor: Person) -> UndeliverableAddress:
    """The address is fixed (or the bounce was a fluke): mail to it goes out again."""
    current = UndeliverableAddress.objects.select_for_update().get(pk=mark.pk)
    if current.cleared_at is None:
        current.cleared_at = timezone.now()
        current.cleared_by = actor
        with acting_as(actor):
            current.save()
    return current


def undeliverable_among(addresses: Iterable[str]) -> set[str]:
    """Which of these addresses (lower-cased) are marked undeliverable now."""
    wanted = {_normal(address) for address in addresses if address}
    if not wanted:
        return set()
    return set(
        UndeliverableAddress.objects.filter(
            address__in=wanted, cleared_at__isnull=True
        ).values_list("address", flat=True)
    )


def marked_addresses() -> list[UndeliverableAddress]:
    return list(UndeliverableAddress.objects.filter(cleared_at__isnull=True))
