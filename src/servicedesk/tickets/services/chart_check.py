"""The school district's chart binds each priority code to one category: a ticket may carry only
a code of its own category. Every write that sets a category or a code calls
`priority_code_category_check` (ticket creation from any channel, triage, updates from the API
and from bulk actions), so no face can bypass it."""

from __future__ import annotations

from servicedesk.catalog.models import Category, PriorityCode
from servicedesk.tickets.errors import TicketError, TicketErrorCode


def priority_code_category_check(
    *, category: Category | None, priority_code: PriorityCode | None
) -> Category | None:
    """The category the ticket should carry: `category`, or the code's own when only a code is
    given. Refuses a code of another category, beside the priority code field."""
    if priority_code is None:
        return category
    if category is None:
        return priority_code.category
    if priority_code.category_id != category.pk:
        raise TicketError(
            TicketErrorCode.CODE_NOT_IN_CATEGORY,
            f"Priority code {priority_code.category.number}-{priority_code.code} "
            f"({priority_code.name}) belongs to category {priority_code.category}; "
            f"choose a code of category {category}.",
            field="priority_code",
        )
    return category
