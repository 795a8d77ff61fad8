"""Demo canned responses: a few everyone uses, one for the desk, one of Diego's own.

Idempotent: matched by title and audience, updated in place.
"""

from __future__ import annotations

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.workspace.models import CannedResponse

EVERYONE = [
    (
        "Acknowledge and gather details",
        "Hello {{ requester.first_name }},\n\nThanks for reporting this; {{ ticket.number }} is "
        "with {{ ticket.group }}. Could you tell us when it started, and send a screenshot of any "
        "error message?\n\n{{ agent.first_name }}",
    ),
    (
        "Awaiting your reply",
        "Hello {{ requester.first_name }},\n\nWe are waiting for your answer on "
        "{{ ticket.number }} ({{ ticket.short_description }}). The clock is paused until you "
        "reply.\n\n{{ agent.first_name }}",
    ),
    (
        "Resolved: please confirm",
        "Hello {{ requester.first_name }},\n\nWe believe {{ ticket.number }} is fixed. Please "
        "check that you can work again; you can reopen it from the portal within 3 days if "
        "not.\n\n{{ agent.name }}",
    ),
]
DESK = (
    "Password reset done",
    "Hello {{ requester.first_name }},\n\nYour password has been reset. You will be asked to "
    "choose a new one when you next sign in. Never share it, not even with the service desk."
    "\n\n{{ agent.first_name }}, OMES Service Desk",
)
PERSONAL = (
    "Remote session",
    "Hello {{ requester.first_name }}, I'd like to look at this with you over a remote session. "
    "When in the next hour suits you?",
)


def load_canned_responses(people: dict[str, Person], groups: dict[str, SupportGroup]) -> None:
    admin = people.get("admin")
    for title, body in EVERYONE:
        CannedResponse.objects.update_or_create(
            title=title,
            owner=None,
            group=None,
            defaults={"body": body, "created_by": admin},
        )
    desk = groups["desk"]
    CannedResponse.objects.update_or_create(
        title=DESK[0], owner=None, group=desk, defaults={"body": DESK[1], "created_by": desk.lead}
    )
    diego = people["desk"]
    CannedResponse.objects.update_or_create(
        title=PERSONAL[0],
        owner=diego,
        group=None,
        defaults={"body": PERSONAL[1], "created_by": diego},
    )
