"""How long each text of a ticket may be: defined once, enforced by the services for every face.

The portal's and the workspace's forms and the API's schemas name these same limits, so a too
long text gets its error beside the field (or in the API's error shape) before the service is
even asked; mail, which cannot be asked to shorten itself, is cut to them with a note (the whole
message stays in the mail log).
"""

from __future__ import annotations

from servicedesk.tickets.errors import TicketError, TicketErrorCode

SHORT_DESCRIPTION_MAX = 160
# Descriptions, replies, internal notes, resolution and state-change notes, dispute and
# escalation reasons.
TEXT_MAX = 50_000
# Short reasons: for a priority other than the matrix's, for closing with open tasks.
REASON_MAX = 300

LIMITS: dict[str, int] = {
    "short_description": SHORT_DESCRIPTION_MAX,
    "description": TEXT_MAX,
    "body": TEXT_MAX,
    "note": TEXT_MAX,
    "resolution_note": TEXT_MAX,
    "reason": TEXT_MAX,  # why one escalates or disputes: a note in all but name
    "priority_override_reason": REASON_MAX,
    "force_reason": REASON_MAX,
}


def check_lengths(**texts: object) -> None:
    """Refuse the first text longer than its field's limit, naming the field and the limit."""
    for field, value in texts.items():
        limit = LIMITS[field]
        if isinstance(value, str) and len(value) > limit:
            raise TicketError(
                TicketErrorCode.TOO_LONG,
                f"Keep it to {limit:,} characters (this is {len(value):,}).",
                field=field,
            )


def cut_to(text: str, limit: int, marker: str) -> str:
    """`text` within `limit`, ending with `marker` when it had to be cut (mail)."""
    if len(text) <= limit:
        return text
    return text[: limit - len(marker)] + marker
