"""The portal home's lists (`templatetags/portal_rows.py`): what the employee wrote is shown as
text, never as markup, and each cell says what the ticket holds."""

from __future__ import annotations

from django.test import Client
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create


def test_the_homes_rows_show_what_the_employee_wrote_as_text(org: Org, client: Client) -> None:
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description='<img src=x onerror="alert(1)"> VPN down',
    )
    client.force_login(org.employee)
    page = client.get("/portal/").content.decode()
    row = page.split(f'href="/portal/tickets/{ticket.number}/">{ticket.number}</a>', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "<td>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; VPN down</td>" in row
    assert "<img" not in row
    assert "<td>New</td>" in row  # its state
    updated = format_date(localtime(ticket.updated_at), "M j, H:i")
    assert f'<td class="d-none d-sm-table-cell">{updated}</td>' in row
