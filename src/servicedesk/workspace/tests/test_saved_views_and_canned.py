"""Saved views of my own, canned responses in the reply box, the planned date and the bulk
"link to a parent", through Django's test client."""

from __future__ import annotations

from django.test import Client

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org
from servicedesk.directory.choices import Role
from servicedesk.tickets.choices import LinkKind, TicketKind
from servicedesk.tickets.models import Ticket, TicketLink
from servicedesk.tickets.services import ticket_create
from servicedesk.workspace.canned import canned_text, unknown_placeholders
from servicedesk.workspace.models import CannedResponse, SavedView


def as_user(client: Client, person) -> Client:
    client.force_login(person)
    return client


def incident(org: Org, text: str) -> Ticket:
    return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=text)


def test_a_saved_view_keeps_the_filters_counts_live_and_is_only_mine(
    org: Org, client: Client
) -> None:
    incident(org, "Printer jams on floor 2")
    incident(org, "VPN drops")
    as_user(client, org.desk)
    response = client.post(
        "/workspace/views/",
        {"name": "Printers", "queue": "new", "query": "q=printer&sort=-priority&page=3&evil=1"},
    )
    view = SavedView.objects.get(owner=org.desk)
    assert response.status_code == 302 and response["Location"] == f"/workspace/views/{view.pk}/"
    assert (view.queue, view.query) == ("new", "q=printer&sort=-priority")

    page = client.get(f"/workspace/views/{view.pk}/").content.decode()
    assert "Printer jams" in page and "VPN drops" not in page
    nav = client.get("/workspace/counts/").content.decode()
    assert "Printers" in nav and '<span class="badge text-bg-light border">1</span>' in nav
    incident(org, "Printer out of toner")
    assert (
        '<span class="badge text-bg-light border">2</span>'
        in client.get("/workspace/counts/").content.decode()
    )

    as_user(client, org.network)
    assert client.get(f"/workspace/views/{view.pk}/").status_code == 404
    assert client.post(f"/workspace/views/{view.pk}/delete/").status_code == 404
    assert "Printers" not in client.get("/workspace/counts/").content.decode()


def test_renaming_and_deleting_a_view_and_errors_beside_the_name(org: Org, client: Client):
    as_user(client, org.desk)
    client.post("/workspace/views/", {"name": "Mine", "queue": "my-open", "query": ""})
    view = SavedView.objects.get(owner=org.desk)
    twice = client.post("/workspace/views/", {"name": " mine ", "queue": "new", "query": ""})
    assert twice.status_code == 400
    assert 'data-testid="error-name"' in twice.content.decode()
    assert "already have a view called mine" in twice.content.decode()

    client.post(f"/workspace/views/{view.pk}/rename/", {"name": "My open <b>work</b>"})
    view.refresh_from_db()
    assert view.name == "My open <b>work</b>"
    assert "My open &lt;b&gt;work&lt;/b&gt;" in client.get("/workspace/counts/").content.decode()
    assert client.post(f"/workspace/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_placeholders_are_a_whitelist_not_the_template_engine(org: Org) -> None:
    ticket = incident(org, "VPN drops")
    body = (
        "Hi {{ requester.first_name }}, {{ ticket.number }} is with {{ ticket.group }}."
        " {{ requester.password }} {% load x %} {{ settings.SECRET_KEY }}"
    )
    text = canned_text(body, ticket, org.desk)
    assert text.startswith(f"Hi Employee, {ticket.number} is with the service desk.")
    assert "{{ requester.password }}" in text and "{% load x %}" in text
    assert unknown_placeholders(body) == ["requester.password", "settings.SECRET_KEY"]


def test_the_reply_box_offers_my_groups_and_everyones_responses_filled_in(
    org: Org, client: Client
) -> None:
    ticket = incident(org, "VPN <script>drops</script>")
    CannedResponse.objects.create(
        title="Hello", body="Hi {{ requester.first_name }}: {{ ticket.short_description }}"
    )
    CannedResponse.objects.create(title="Desk only", body="desk", group=org.desk_group)
    CannedResponse.objects.create(title="Network only", body="net", group=org.network_group)
    CannedResponse.objects.create(title="Someone's own", body="own", owner=org.network)
    page = as_user(client, org.desk).get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert "Hello (Everyone)" in page and "Desk only (Service Desk)" in page
    assert "Network only" not in page and "Someone&#x27;s own" not in page
    # The filled-in text travels as JSON in a script element that cannot be closed early.
    assert "Hi Employee: VPN \\u003Cscript\\u003Edrops\\u003C/script\\u003E" in page
    assert "<script>drops" not in page


def test_managing_canned_responses_personal_group_and_everyone(org: Org, client: Client):
    as_user(client, org.desk)
    made = client.post(
        "/workspace/canned/",
        {"title": "Thanks", "body": "Thanks {{ requester.first_name }}", "audience": "me"},
    )
    assert made.status_code == 302
    mine = CannedResponse.objects.get(title="Thanks")
    assert mine.owner == org.desk
    wrong = client.post(
        "/workspace/canned/", {"title": "X", "body": "{{ ticket.secret }}", "audience": "me"}
    )
    assert wrong.status_code == 400
    assert 'data-testid="error-body"' in wrong.content.decode()
    # An agent who leads no group can share with nobody else.
    shared = client.post(
        "/workspace/canned/",
        {"title": "All", "body": "x", "audience": f"group:{org.desk_group.pk}"},
    )
    assert shared.status_code == 400 and not CannedResponse.objects.filter(title="All").exists()

    # Network leads its group: it shares there, and may not touch the desk agent's own.
    as_user(client, org.network)
    assert client.get(f"/workspace/canned/{mine.pk}/").status_code == 404
    assert client.post(f"/workspace/canned/{mine.pk}/delete/").status_code == 404
    client.post(
        "/workspace/canned/",
        {"title": "Net", "body": "net", "audience": f"group:{org.network_group.pk}"},
    )
    assert CannedResponse.objects.get(title="Net").group == org.network_group
    refused = client.post(
        "/workspace/canned/", {"title": "Everyone", "body": "x", "audience": "everyone"}
    )
    assert refused.status_code == 400

    org.lead.role = Role.ADMIN
    org.lead.save()
    as_user(client, org.lead)
    client.post("/workspace/canned/", {"title": "Everyone", "body": "x", "audience": "everyone"})
    everyone = CannedResponse.objects.get(title="Everyone")
    assert (everyone.owner, everyone.group) == (None, None)
    client.post(
        f"/workspace/canned/{everyone.pk}/",
        {"title": "For all", "body": "y", "audience": "everyone"},
    )
    everyone.refresh_from_db()
    assert (everyone.title, everyone.body) == ("For all", "y")


def test_the_planned_date_form_on_a_scheduled_ticket(org: Org, client: Client) -> None:
    category = Category.objects.create(
        number=5, name="Scheduled maintenance", is_scheduled_work=True
    )
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.REQUEST,
        short_description="Lab refresh",
        category=category,
    )
    as_user(client, org.desk)
    saved = client.post(
        f"/workspace/tickets/{ticket.number}/plan/",
        {"version": ticket.version, "planned_for": "2031-05-06"},
    )
    assert saved.status_code == 302
    page = client.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert "Planned for Tue 6 May 2031" in page
    stale = client.post(
        f"/workspace/tickets/{ticket.number}/plan/",
        {"version": ticket.version, "planned_for": "2031-06-06"},
    )
    assert stale.status_code == 409


def test_bulk_link_to_a_parent_from_the_queue(org: Org, client: Client) -> None:
    parent, child = incident(org, "Outage"), incident(org, "Me too")
    as_user(client, org.desk)
    response = client.post(
        "/workspace/bulk/",
        {
            "action": "link-parent",
            "parent": parent.number,
            "numbers": [child.number],
            "next": "/workspace/queues/new/",
        },
        follow=True,
    )
    assert "Bulk link-parent: 1 done." in response.content.decode()
    assert TicketLink.objects.filter(source=child, target=parent, kind=LinkKind.CHILD_OF).exists()
    missing = client.post(
        "/workspace/bulk/",
        {"action": "link-parent", "parent": "INC9999999", "numbers": [child.number]},
        follow=True,
    )
    assert "No ticket INC9999999." in missing.content.decode()
