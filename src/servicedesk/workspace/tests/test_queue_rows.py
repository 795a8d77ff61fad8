"""A queue's rows (`templatetags/queue_rows.py`): what a requester or a supervisor wrote is shown
as text, never as markup, and each cell says what the ticket's columns hold."""

from __future__ import annotations

from django.test import Client

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import TicketHistory
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.services.overdue_first import SCHEDULED_AHEAD_ACTION


def test_a_queue_row_shows_what_was_written_as_text(org: Org, client: Client) -> None:
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description='<img src=x onerror="alert(1)"> VPN down',
    )
    TicketHistory.objects.create(
        ticket=ticket,
        actor=org.lead,
        action=SCHEDULED_AHEAD_ACTION,
        after="<b>Payroll</b> runs tonight",
    )
    client.force_login(org.desk)
    page = client.get("/workspace/queues/new/").content.decode()
    row = page.split(f'value="{ticket.number}"', 1)[1].split("</tr>", 1)[0]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; VPN down" in row
    assert "<img" not in row
    assert 'data-testid="queue-approval">&lt;b&gt;Payroll&lt;/b&gt; runs tonight</div>' in row
    assert 'title="&lt;b&gt;Payroll&lt;/b&gt; runs tonight"' in row
    assert f'href="/workspace/tickets/{ticket.number}/"' in row
    assert "<td>New</td>" in row  # its state
    # Not yet prioritised nor assigned: dashes, and on a phone nothing rather than "None".
    assert '<td class="d-none d-sm-table-cell">—</td>' in row  # the priority
    assert '<td class="d-none d-md-table-cell small">—</td>' in row  # the group
    assert '<div class="small text-body-secondary d-md-none"></div>' in row
    assert "None" not in row
