"""Every route of the project × every viewer: each sees only what the access policy allows.

The routes are enumerated from Django's resolver, so a new route that is not classified in
`ROUTES` fails `test_every_route_is_in_the_matrix`: whoever adds one decides here how it is
exercised. Each route is then requested (with the marked tickets, comments and files of
`exits.py` filling its parameters) as anonymous, the demo roles and an agent of another agency;
no response may carry a marker the viewer may not know, every response says `no-store`, and no
request changes a ticket the viewer may not know. The admin is checked as staff-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from servicedesk.api.services import token_create
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue
from servicedesk.tickets.tests.exits import (
    ANONYMOUS,
    KNOWS,
    OTHER_AGENCY_AGENT,
    STAFF,
    TICKETS,
    VIEWERS,
    Exits,
    forbidden_markers,
    markers,
)
from servicedesk.tickets.tests.exits import exits as exits  # the fixture
from servicedesk.workspace.views.ticket_actions import ACTIONS

SEARCH = ("ZQDHS", "ZQSOK")
SIGN_OUT = (
    "accounts/logout/ account_logout"  # prefixes of the markers: an echoed search term is no leak
)


@dataclass(frozen=True)
class Exercise:
    """How a route is tried: its method, and what fills its path and query.

    `fill`: "" (no parameter), "ticket" (each marked ticket's number), "comment" and
    "attachment" (each ticket's public and internal one), or "any" (a made-up id: routes of
    things that are not tickets, whose own scoping other tests cover)."""

    method: str = "get"
    fill: str = ""
    search: str = ""  # a query parameter to search the markers with
    query: str = ""  # a fixed query string the route needs (a report's figure)
    data: dict[str, Any] = field(default_factory=dict)


GET, POST = Exercise(), Exercise("post")
TICKET_GET, TICKET_POST = Exercise(fill="ticket"), Exercise("post", fill="ticket")
ANY_GET, ANY_POST = Exercise(fill="any"), Exercise("post", fill="any")
API_POST = Exercise("post", data={"json": True})

# Every route outside the admin, by "pattern name". A new route must be added here.
ROUTES: dict[str, Exercise] = {
    " home": GET,
    "healthz healthz": GET,
    "readyz readyz": GET,
    "metrics metrics": GET,
    # Sign-in (django-allauth): pages about the signed-in person only, never about tickets.
    "accounts/login/ account_login": GET,
    "accounts/logout/ account_logout": POST,
    "accounts/login/code/confirm/ account_confirm_login_code": GET,
    "accounts/signup/ account_signup": GET,
    "accounts/inactive/ account_inactive": GET,
    "accounts/reauthenticate/ account_reauthenticate": GET,
    "accounts/reauthenticate/code/ account_request_reauthentication_code": GET,
    "accounts/reauthenticate/code/confirm/ account_confirm_reauthentication_code": GET,
    "accounts/confirm-email/ account_email_verification_sent": GET,
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$ account_confirm_email": ANY_GET,
    "accounts/email/ ": GET,
    "accounts/email/ account_email": GET,
    "accounts/password/change/ account_change_password": GET,
    "accounts/password/set/ ": GET,
    "accounts/password/set/ account_set_password": GET,
    "accounts/password/reset/ account_reset_password": GET,
    "accounts/password/reset/done/ account_reset_password_done": GET,
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$"
    " account_reset_password_from_key": ANY_GET,
    "accounts/password/reset/key/done/ account_reset_password_from_key_done": GET,
    "accounts/2fa/ mfa_index": GET,
    "accounts/2fa/authenticate/ mfa_authenticate": GET,
    "accounts/2fa/reauthenticate/ mfa_reauthenticate": GET,
    "accounts/2fa/recovery-codes/ mfa_view_recovery_codes": GET,
    "accounts/2fa/recovery-codes/download/ mfa_download_recovery_codes": GET,
    "accounts/2fa/recovery-codes/generate/ mfa_generate_recovery_codes": GET,
    "accounts/2fa/totp/activate/ mfa_activate_totp": GET,
    "accounts/2fa/totp/deactivate/ mfa_deactivate_totp": GET,
    "accounts/2fa/webauthn/ mfa_list_webauthn": GET,
    "accounts/2fa/webauthn/add/ mfa_add_webauthn": GET,
    "accounts/2fa/webauthn/keys/<int:pk>/edit/ mfa_edit_webauthn": ANY_GET,
    "accounts/2fa/webauthn/keys/<int:pk>/remove/ mfa_remove_webauthn": ANY_GET,
    "accounts/2fa/webauthn/reauthenticate/ mfa_reauthenticate_webauthn": GET,
    "accounts/3rdparty/ socialaccount_connections": GET,
    "accounts/3rdparty/login/cancelled/ socialaccount_login_cancelled": GET,
    "accounts/3rdparty/login/error/ socialaccount_login_error": GET,
    "accounts/3rdparty/signup/ socialaccount_signup": GET,
    "accounts/social/connections/ ": GET,
    "accounts/social/login/cancelled/ ": GET,
    "accounts/social/login/error/ ": GET,
    "accounts/social/signup/ ": GET,
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/ openid_connect_login": ANY_GET,
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/ openid_connect_callback": ANY_GET,
    # The portal.
    "portal/ home": GET,
    "portal/new/<slug:kind_slug>/ new": ANY_GET,
    "portal/request/ catalog": Exercise(search="q"),
    "portal/request/<slug:slug>/ request_type": ANY_GET,
    "portal/drafts/<int:pk>/ draft": ANY_GET,
    "portal/drafts/<int:pk>/delete/ draft_delete": ANY_POST,
    "portal/people/ people": Exercise(search="affected_search"),
    "portal/suggestions/ suggestions": Exercise(search="short_description"),
    "portal/status/ status": GET,
    # Live chat: the start page asks for a ticket the viewer may know; the chats' own scoping
    # (an employee's own chats, an agent's agencies) is tried in chat/tests/test_chat_pages.py.
    "portal/chat/ chat_start": Exercise(query="ticket=INC0000001"),
    "portal/chat/<int:pk>/ chat": ANY_GET,
    "portal/chat/<int:pk>/end/ chat_end": ANY_POST,
    "workspace/chat/ chat_desk": GET,
    "workspace/chat/waiting/ chat_waiting": GET,
    "workspace/chat/availability/ chat_availability": POST,
    "workspace/chat/<int:pk>/ chat": ANY_GET,
    "workspace/chat/<int:pk>/accept/ chat_accept": ANY_POST,
    "workspace/chat/<int:pk>/<slug:action>/ chat_act": ANY_POST,
    "chat/<int:pk>/stream/ stream": ANY_GET,
    "chat/<int:pk>/messages/ message": ANY_POST,
    "chat/<int:pk>/leave/ leave": ANY_POST,
    "chat/files/<int:pk>/ file": ANY_GET,
    # An endless stream: HEAD answers its headers without reading it.
    "chat/desk/stream/ desk_stream": Exercise("head"),
    "api/v1/chats chat_list": Exercise(search="q"),
    "api/v1/chats/<chat_id> chat_detail": ANY_GET,
    "portal/tickets/<str:number>/ ticket": TICKET_GET,
    "portal/tickets/<str:number>/filed/ filed": TICKET_GET,
    "portal/tickets/<str:number>/live/ ticket_live": TICKET_GET,
    "portal/tickets/<str:number>/reply/ reply": Exercise("post", "ticket", data={"body": "x"}),
    "portal/tickets/<str:number>/confirm/ confirm": TICKET_POST,
    "portal/tickets/<str:number>/dispute/ dispute": Exercise(
        "post", "ticket", data={"reason": "x"}
    ),
    "portal/tickets/<str:number>/survey/ survey": Exercise("post", "ticket", data={"rating": 5}),
    "portal/tickets/<str:number>/join/ join": TICKET_POST,
    "portal/tickets/<str:number>/comments/<int:pk>/ comment": Exercise(fill="comment"),
    "portal/attachments/<int:pk>/ attachment": Exercise(fill="attachment"),
    "portal/kb/ kb": Exercise(search="q"),
    "portal/kb/<int:pk>/ kb_article": ANY_GET,
    "portal/kb/<int:pk>/feedback/ kb_feedback": ANY_POST,
    # The workspace.
    "workspace/ home": GET,
    "workspace/queues/<slug:name>/ queue": Exercise(fill="queue"),
    "workspace/queues/uncategorized/reviewed/ new_queue_reviewed": POST,
    "workspace/counts/ nav_counts": GET,
    "workspace/next/ next": GET,
    "workspace/bulk/ bulk": Exercise("post", fill="bulk"),
    "workspace/views/ saved_view_create": POST,
    "workspace/views/<int:pk>/ saved_view": ANY_GET,
    "workspace/views/<int:pk>/rename/ saved_view_rename": ANY_POST,
    "workspace/views/<int:pk>/delete/ saved_view_delete": ANY_POST,
    "workspace/canned/ canned": GET,
    # Held mail and bounce marks: mail/tests/test_review.py covers who sees and acts on them.
    "workspace/mail/ desk": GET,
    "workspace/mail/held/<int:pk>/release/ held_release": ANY_POST,
    "workspace/mail/held/<int:pk>/discard/ held_discard": ANY_POST,
    "workspace/mail/undeliverable/<int:pk>/clear/ undeliverable_clear": ANY_POST,
    "workspace/canned/<int:pk>/ canned_edit": ANY_GET,
    "workspace/canned/<int:pk>/delete/ canned_delete": ANY_POST,
    "workspace/call/ call": GET,
    "workspace/call/callers/ callers": Exercise(search="q"),
    "workspace/status/ status": GET,
    "workspace/status/declare/ status_declare": GET,
    "workspace/status/maintenance/ status_maintenance": GET,
    "workspace/status/<int:pk>/ status_entry": ANY_GET,
    "workspace/status/<int:pk>/update/ status_update": ANY_POST,
    "workspace/status/<int:pk>/resolve/ status_resolve": ANY_POST,
    "workspace/kb/ kb": Exercise(search="q"),
    "workspace/kb/new/ kb_new": GET,
    "workspace/kb/<int:pk>/ kb_edit": ANY_GET,
    "workspace/kb/<int:pk>/publish/ kb_publish": ANY_POST,
    "workspace/kb/<int:pk>/retire/ kb_retire": ANY_POST,
    "workspace/kb/known-errors/ kb_known_errors": GET,
    "workspace/kb/known-errors/new/ kb_known_error_new": GET,
    "workspace/kb/known-errors/<int:pk>/ kb_known_error": ANY_GET,
    "workspace/kb/known-errors/<int:pk>/close/ kb_known_error_close": ANY_POST,
    "workspace/kb/diagnosis/<str:number>/ kb_diagnosis": TICKET_GET,
    "workspace/tickets/<str:number>/ ticket": TICKET_GET,
    "workspace/tickets/<str:number>/preview/ triage_preview": TICKET_GET,
    # A folded form of the ticket page (its current values), fetched when the agent opens it.
    "workspace/tickets/<str:number>/form/<slug:action>/ ticket_form": Exercise(fill="action"),
    "workspace/tickets/<str:number>/presence/ presence": TICKET_POST,
    # The original of a mail on the ticket: staff who know the ticket (mail/tests cover a real one).
    "workspace/tickets/<str:number>/mail/<int:pk>/original.eml ticket_mail_original": TICKET_GET,
    "workspace/tickets/<str:number>/<slug:action>/ ticket_action": Exercise("post", "action"),
    # Notifications.
    # Reports and exports: every figure, list and file starts from the policy's tickets.
    "workspace/queues/<slug:name>/export.<str:fmt> queue_export": Exercise(fill="queue"),
    "workspace/views/<int:pk>/export.<str:fmt> saved_view_export": ANY_GET,
    "workspace/reports/ dashboard": GET,
    "workspace/reports/tickets/ tickets": Exercise(query="figure=backlog"),
    "workspace/reports/tickets/export.<str:fmt> tickets_export": Exercise(query="figure=backlog"),
    "workspace/reports/forecast/ forecast": GET,
    "workspace/reports/shift/ shift_list": GET,
    "workspace/reports/shift/<int:pk>/preview/ shift_preview": ANY_GET,
    "workspace/reports/shift/<int:pk>/note/ shift_note": ANY_POST,
    "workspace/reports/shift/<int:pk>/send/ shift_send": ANY_POST,
    "workspace/reports/shift/sent/<uuid:key>/ shift_sent": ANY_GET,
    "workspace/reports/exports/<uuid:key>/ export_job": ANY_GET,
    "workspace/reports/subscriptions/ subscriptions": GET,
    "workspace/reports/subscriptions/<uuid:key>/cancel/ subscription_cancel": ANY_GET,
    "workspace/reports/exports/<uuid:key>/download/ export_download": ANY_GET,
    # Major incidents (the justice network desk's outage procedure).
    "workspace/major/ major_incidents": GET,
    "workspace/major/<int:pk>/ major_incident": ANY_GET,
    "workspace/major/<int:pk>/attach/ major_attach": ANY_POST,
    "workspace/major/<int:pk>/resolve/ major_resolve": ANY_POST,
    "workspace/major/<int:pk>/review/ major_review": ANY_GET,
    "workspace/major/<int:pk>/scope/ major_scope": ANY_GET,
    "workspace/major/<int:pk>/update/ major_update": ANY_POST,
    "workspace/major/<int:pk>/updates/<int:communication>/correct/ major_correct": ANY_POST,
    "workspace/status/<int:pk>/major/ major_declare_from_outage": ANY_GET,
    "workspace/tickets/<str:number>/major/ major_declare": TICKET_GET,
    # Notifications.
    "notifications/ inbox": GET,
    "notifications/read/ mark_all_read": POST,
    "notifications/preferences/ preferences": GET,
    "notifications/<int:pk>/ open": Exercise(fill="notification"),
    # The API, with a personal token (nothing for anonymous).
    "api/v1/openapi.json openapi-json": GET,
    "api/v1/docs openapi-view": GET,
    "api/v1/tickets ticket_list": Exercise(search="text"),
    "api/v1/tickets ticket_file": API_POST,
    "api/v1/tickets/<number> ticket_read": TICKET_GET,
    "api/v1/tickets/<number> ticket_patch": Exercise("patch", "ticket", data={"json": True}),
    "api/v1/tickets/<number>/transition ticket_transition_action": TICKET_POST,
    "api/v1/tickets/<number>/assign ticket_assign_action": TICKET_POST,
    "api/v1/tickets/<number>/convert ticket_convert_action": TICKET_POST,
    "api/v1/tickets/<number>/comments ticket_comments": TICKET_GET,
    "api/v1/tickets/<number>/comments ticket_comment_add": TICKET_POST,
    "api/v1/tickets/<number>/attachments ticket_attachments": TICKET_GET,
    "api/v1/tickets/<number>/attachments ticket_attachment_upload": TICKET_POST,
    "api/v1/tickets/<number>/attachments/<attachment_id> ticket_attachment_download": Exercise(
        fill="attachment"
    ),
    "api/v1/tickets/<number>/sla ticket_sla": TICKET_GET,
    "api/v1/tickets/<number>/links ticket_links": TICKET_GET,
    "api/v1/tickets/<number>/links ticket_link_add": TICKET_POST,
    "api/v1/people person_list": Exercise(search="search"),
    "api/v1/groups group_list": GET,
    "api/v1/services service_list": GET,
    "api/v1/categories category_list": GET,
    "api/v1/status system_status": GET,
    "api/v1/events event_receive": API_POST,
    "api/v1/webhooks webhook_list": GET,
    "api/v1/webhooks webhook_create": API_POST,
    "api/v1/webhooks/<webhook_id> webhook_delete": Exercise("delete", "any"),
    "api/v1/webhooks/<webhook_id>/deliveries webhook_deliveries": ANY_GET,
    "api/v1/tokens token_list": GET,
    "api/v1/tokens token_add": GET,
    "api/v1/tokens/<token_id> token_delete": Exercise("delete", "any"),
    "api/v1/articles article_list": GET,
    "api/v1/articles/<article_id> article_detail": ANY_GET,
    "api/v1/known-errors known_error_list": GET,
    "api/v1/<path:rest> unknown_path": ANY_GET,
    "api/v1/ api-root": GET,
    "api/v1/greeting greeting": GET,
    "api/v1/on-call on_call_now": GET,
    "api/v1/major-incidents major_incidents_open": GET,
    "api/v1/major-incidents major_incident_declare_action": API_POST,
    "api/v1/major-incidents/<major_id> major_incident_detail": ANY_GET,
    "api/v1/major-incidents/<major_id>/attach major_incident_attach_action": Exercise(
        "post", "any", data={"json": True}
    ),
    "api/v1/major-incidents/<major_id>/resolve major_incident_resolve_action": Exercise(
        "post", "any", data={"json": True}
    ),
    "api/v1/major-incidents/<major_id>/updates major_incident_update_action": Exercise(
        "post", "any", data={"json": True}
    ),
    "api/v1/major-incidents/<major_id>/updates/<communication_id>/correct"
    " major_incident_correct_action": Exercise("post", "any", data={"json": True}),
}
# Pages that must show a ticket to whoever may know it (the test would pass on an empty site
# otherwise): route → whether staff also find its internal notes there.
SHOWS: dict[str, bool] = {
    "portal/tickets/<str:number>/ ticket": False,
    "workspace/tickets/<str:number>/ ticket": True,
    "api/v1/tickets/<number>/comments ticket_comments": True,
}


def all_routes() -> Iterator[tuple[str, str]]:
    """(pattern, name) of every route the project serves, the admin's included."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name or ""

    yield from walk(get_resolver().url_patterns, "")


def test_every_route_is_in_the_matrix() -> None:
    found = {f"{path} {name}" for path, name in all_routes() if not path.startswith("admin/")}
    unlisted = sorted(found - set(ROUTES))
    assert not unlisted, f"Classify these routes in ROUTES (how to try them): {unlisted}"
    assert not sorted(set(ROUTES) - found), "ROUTES lists routes that no longer exist"


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


FILLERS = {"fmt": "csv", "key": "00000000-0000-0000-0000-000000000001"}


def _fill(path: str, values: dict[str, str]) -> str:
    values = {**FILLERS, **values}
    return PARAMETER.sub(lambda match: values.get(match.group(2), "1"), path)


def requests_of(key: str, exercise: Exercise, exits: Exits) -> Iterator[tuple[str, str]]:
    """(the ticket a request names or "", the URL) for each request that tries the route."""
    path = "/" + key.rsplit(" ", 1)[0]
    if exercise.fill in ("ticket", "action", "comment", "attachment"):
        for ticket in TICKETS:
            number = {"number": exits.tickets[ticket].number}
            if exercise.fill == "ticket":
                yield ticket, _fill(path, number)
            elif exercise.fill == "action":
                for action in ACTIONS:
                    yield ticket, _fill(path, {**number, "action": action})
            else:
                for part in ("public", "internal"):
                    things = exits.comments if exercise.fill == "comment" else exits.attachments
                    pk = str(things[(ticket, part)].pk)
                    yield ticket, _fill(path, {**number, "pk": pk, "attachment_id": pk})
    elif exercise.fill == "queue":
        for queue in Queue:
            yield "", _fill(path, {"name": queue.value})
        for term in SEARCH:  # one queue searched is enough: they share the search
            yield "", _fill(path, {"name": Queue.ALL_OPEN.value}) + f"?q={term}"
    else:
        query = f"?{exercise.query}" if exercise.query else ""
        yield "", _fill(path, {"kind_slug": "incident", "rest": "nowhere"}) + query


def _send(client: Client, exercise: Exercise, url: str, headers: dict[str, str]) -> Any:
    if exercise.data.get("json"):
        return getattr(client, exercise.method)(
            url, "{}", content_type="application/json", headers=headers
        )
    return getattr(client, exercise.method)(url, exercise.data, headers=headers)


def body_of(response: HttpResponseBase) -> str:
    streamed = getattr(response, "streaming_content", None)
    raw = b"".join(streamed) if streamed is not None else response.content  # type: ignore[attr-defined]
    return raw.decode("utf-8", "replace")


def _changes_of(ticket: Ticket) -> tuple[int, int, int, int]:
    return (
        Ticket.objects.get(pk=ticket.pk).version,
        ticket.comments.count(),
        ticket.attachments.count(),
        ticket.history.count(),
    )


def _signed_in_client(exits: Exits, viewer: str) -> tuple[Client, dict[str, str]]:
    client = Client()
    person = exits.person(viewer)
    if person is None:
        return client, {}
    client.force_login(person)
    _token, secret = token_create(person, "matrix")
    return client, {"Authorization": f"Bearer {secret}"}


def _extra_requests(exits: Exits, exercise: Exercise, url: str) -> list[str]:
    """The route's URL, and with each search term when it searches."""
    if exercise.fill == "notification":
        from servicedesk.notifications.models import Notification

        return [url.replace("/1/", f"/{note.pk}/") for note in Notification.objects.all()]
    if exercise.fill == "bulk":
        return [url]
    if not exercise.search:
        return [url]
    return [url, *(f"{url}?{exercise.search}={term}" for term in SEARCH)]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_route_shows_each_viewer_only_what_the_policy_allows(
    exits: Exits, viewer: str
) -> None:
    client, token = _signed_in_client(exits, viewer)
    forbidden = forbidden_markers(viewer)
    unknown = [exits.tickets[t] for t in TICKETS if t not in KNOWS[viewer]]
    before = {ticket.pk: _changes_of(ticket) for ticket in unknown}
    tried = 0
    # Signing out last, so that every other route is tried signed in.
    for key, exercise in sorted(ROUTES.items(), key=lambda item: item[0] == SIGN_OUT):
        if key == SIGN_OUT and viewer != ANONYMOUS:
            assert client.get("/notifications/").status_code == 200, "signed out too early"
        headers = token if key.startswith("api/") else {}
        for ticket, url in requests_of(key, exercise, exits):
            if exercise.method != "get" and ticket in KNOWS[viewer]:
                continue  # a change to a ticket one may know is the other tests' business
            for target in _extra_requests(exits, exercise, url):
                if exercise.fill == "bulk":
                    numbers = [exits.tickets[t].number for t in TICKETS]
                    data = {"numbers": numbers, "action": "state", "to": "cancelled", "note": "x"}
                    response = client.post(target, data)
                else:
                    response = _send(client, exercise, target, headers)
                tried += 1
                body = body_of(response)
                leaked = [marker for marker in forbidden if marker in body]
                assert not leaked, f"{viewer} {exercise.method.upper()} {target}: {leaked}"
                assert "no-store" in response.get("Cache-Control", ""), (viewer, target)
    assert tried > len(ROUTES)
    assert {ticket.pk: _changes_of(ticket) for ticket in unknown} == before


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if KNOWS[v]])
def test_the_ticket_pages_show_what_the_policy_allows(exits: Exits, viewer: str) -> None:
    client, token = _signed_in_client(exits, viewer)
    for key, with_internal in SHOWS.items():
        staff_page = key.startswith("workspace/")
        if staff_page and viewer not in STAFF:
            continue
        headers = token if key.startswith("api/") else {}
        for ticket, url in requests_of(key, ROUTES[key], exits):
            if ticket not in KNOWS[viewer]:
                continue
            body = body_of(client.get(url, headers=headers))
            expected = markers(ticket, "public")[:2] if key.startswith("portal/") else []
            expected += markers(ticket, "public")[1:2]
            if with_internal and viewer in STAFF:
                expected += markers(ticket, "internal")[:1]
            missing = [marker for marker in expected if marker not in body]
            assert not missing, f"{viewer} {url}: {missing}"


ADMIN_PATH = re.compile(r"<[^>]+>")
ADMIN_OPEN = {"admin/login/", "admin/logout/"}  # the door itself


@pytest.mark.parametrize("viewer", [ANONYMOUS, "employee", "lead", OTHER_AGENCY_AGENT])
def test_the_admin_is_for_administrators_only(exits: Exits, viewer: str) -> None:
    client, _token = _signed_in_client(exits, viewer)
    admin_paths = sorted(
        {path for path, _name in all_routes() if path.startswith("admin/")} - ADMIN_OPEN
    )
    assert len(admin_paths) > 20
    for path in admin_paths:
        url = "/" + ADMIN_PATH.sub("1", path).replace("^", "").replace("$", "")
        response = client.get(url)
        assert response.status_code in (302, 404), (viewer, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), (viewer, url)
        assert not [m for m in forbidden_markers("anonymous") if m in body_of(response)]
