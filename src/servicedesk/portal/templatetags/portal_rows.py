"""`{% portal_ticket_rows tickets %}`: the rows of the portal home's lists of an employee's tickets.

Written in Python rather than as a `{% for %}` over the template's own tags: the home lists up to
fifty tickets, and Django's template engine spent some 0.3 ms a row reversing its link and
formatting its date (about a third of the page's CPU for an employee with fifty tickets,
profiled at a million tickets). The state's words stay translated, what the employee wrote is
escaped as `format_html` escapes it (`core.markup`), and the markup is the one the page always
had.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from servicedesk.core.date_labels import month_day_time
from servicedesk.core.markup import html_join
from servicedesk.tickets.models import Ticket

register = template.Library()

# The number stands in for this in the URL reversed once a list.
_NUMBER_PLACEHOLDER = "NUMBER"


@register.simple_tag
def portal_ticket_rows(tickets: Iterable[Ticket]) -> SafeString:
    link = reverse("portal:ticket", args=[_NUMBER_PLACEHOLDER])
    return html_join(
        "\n",
        '<tr><td class="ticket-number"><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
        '<td class="d-none d-sm-table-cell">{}</td></tr>',
        (
            (
                link.replace(_NUMBER_PLACEHOLDER, ticket.number),
                ticket.number,
                ticket.short_description,
                ticket.get_state_display(),
                month_day_time(localtime(ticket.updated_at)),
            )
            for ticket in tickets
        ),
    )
