"""`{% queue_rows tickets with_categorize %}`: a queue page's table rows.

Written in Python rather than as a `{% for %}` over the template's own tags: a row has some
twenty values to look up, escape and format, and Django's template engine spent some 0.6 ms a
row on them; written here, a queue page's CPU time fell from 27 to 23 ms. The words stay
translatable (gettext), every value the requester or an agent wrote is escaped as `format_html`
escapes it (`core.markup`, which does it for less), and the markup is the one the page always
had.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django import template
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext

from servicedesk.core.date_labels import weekday_day_month_time
from servicedesk.core.markup import html_format
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Ticket

register = template.Library()

# The number stands in for this in the URL reversed once a page (`_ticket_link`).
_NUMBER_PLACEHOLDER = "NUMBER"
_NONE = SafeString("—")
_NOTHING = SafeString("")


@register.simple_tag
def queue_rows(tickets: Iterable[Ticket], with_categorize: bool) -> SafeString:
    link = reverse("workspace:ticket", args=[_NUMBER_PLACEHOLDER])
    return SafeString("\n".join(_row(ticket, link, with_categorize) for ticket in tickets))


def _row(ticket: Ticket, link: str, with_categorize: bool) -> SafeString:
    number = ticket.number
    group = ticket.assignment_group
    priority = ticket.get_priority_display()
    return html_format(
        '<tr data-testid="queue-row">'
        '<td><input class="form-check-input" type="checkbox" name="numbers" value="{}" '
        'aria-label="{}"></td>'
        '<td class="ticket-number"><a href="{}">{}</a></td>'
        "<td>{}{}{}"
        '<div class="small text-body-secondary d-md-none">{}{}</div></td>'
        "<td>{}</td>"
        '<td class="d-none d-sm-table-cell">{}</td>'
        '<td class="d-none d-md-table-cell small">{}{}</td>'
        '<td class="small text-nowrap">{}</td>'
        "{}</tr>",
        number,
        gettext("Select %(number)s") % {"number": number},
        link.replace(_NUMBER_PLACEHOLDER, number),
        number,
        _urgent(ticket),
        ticket.short_description,
        _ahead(ticket),
        priority or "",
        html_format(" · {}", group) if group else "",
        ticket.get_state_display(),
        priority or _NONE,
        group or _NONE,
        html_format(" · {}", ticket.assignee) if ticket.assignee else "",
        _due(getattr(ticket, "resolution_due", None)),
        _categorize_cell(ticket) if with_categorize else "",
    )


def _urgent(ticket: Ticket) -> SafeString:
    if getattr(ticket, "is_urgent", False) and ticket.state != TicketState.RESOLVED:
        return html_format(
            '<span class="badge text-bg-danger me-1" data-testid="queue-urgent">{}</span>',
            gettext("Urgent"),
        )
    return _NOTHING


def _ahead(ticket: Ticket) -> SafeString:
    reason = getattr(ticket, "ahead_approval", None)
    if not reason:
        return _NOTHING
    return html_format(
        ' <span class="badge text-bg-info" data-testid="queue-approved-ahead" title="{}">{}</span>'
        '<div class="small text-body-secondary" data-testid="queue-approval">{}</div>',
        reason,
        gettext("Approved ahead of overdue work"),
        reason,
    )


def _due(due: datetime | None) -> SafeString:
    if due is None:
        return _NONE
    shown = localtime(due)
    return html_format(
        '<time datetime="{}">{}</time>', shown.isoformat(), weekday_day_month_time(shown)
    )


def _categorize_cell(ticket: Ticket) -> SafeString:
    due = getattr(ticket, "categorize_due", None)
    shown = format_date(localtime(due), "H:i") if due else _NONE
    return html_format('<td class="small text-nowrap d-none d-sm-table-cell">{}</td>', shown)
