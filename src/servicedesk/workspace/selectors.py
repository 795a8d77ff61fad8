"""Reads of the workspace's own rows: an agent's saved views (with their live counts) and the
canned responses they may use or manage. Tickets are read through `tickets.queues`, so a saved
view can never count or show a ticket its owner may not see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import QueryDict

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import DEFAULT_SORT, Queue, QueueFilters, queue_tickets
from servicedesk.workspace.canned import canned_text
from servicedesk.workspace.forms import QueueFilterForm
from servicedesk.workspace.models import CannedResponse, SavedView

# The query-string parameters a saved view keeps; anything else (page, csrf, …) is dropped.
VIEW_PARAMETERS = ("q", "state", "priority", "kind", "group", "assignee", "service", "sort")


def view_query(params: QueryDict) -> str:
    """The allow-listed, non-empty parameters of a queue's query string, url-encoded."""
    kept = QueryDict(mutable=True)
    for name in VIEW_PARAMETERS:
        value = params.get(name, "").strip()
        if value:
            kept[name] = value[:200]
    return kept.urlencode()


def queue_filters(form: QueueFilterForm) -> tuple[QueueFilters, str]:
    """What a filter form asks for; an invalid form (a stale id, say) filters nothing."""
    if not form.is_valid():
        return QueueFilters(), DEFAULT_SORT
    data = form.cleaned_data
    filters = QueueFilters(
        state=data["state"],
        priority=data["priority"],
        group_id=data["group"].pk if data["group"] else None,
        assignee_id=data["assignee"].pk if data["assignee"] else None,
        service_id=data["service"].pk if data["service"] else None,
        kind=data["kind"],
        text=data["q"],
    )
    return filters, data["sort"] or DEFAULT_SORT


def saved_views_of(owner: Person) -> QuerySet[SavedView]:
    return SavedView.objects.filter(owner=owner).order_by("position", "id")


def saved_view_of(owner: Person, pk: int) -> SavedView:
    """Raises SavedView.DoesNotExist for a view that is missing *or* someone else's."""
    return saved_views_of(owner).get(pk=pk)


def saved_view_tickets(view: SavedView) -> QuerySet[Ticket]:
    filters, sort = queue_filters(QueueFilterForm(QueryDict(view.query)))
    return queue_tickets(view.owner, Queue(view.queue), filters, sort)


@dataclass(frozen=True)
class ViewCount:
    view: SavedView
    count: int


def saved_view_counts(owner: Person) -> list[ViewCount]:
    """Each of the owner's views with its live size: one COUNT per view (they are few: see
    `services.MAX_SAVED_VIEWS`); filters and search differ per view, so they don't fold into
    the queues' single aggregate."""
    return [
        ViewCount(view, saved_view_tickets(view).count())
        for view in saved_views_of(owner).select_related("owner")
    ]


# --- Canned responses ---------------------------------------------------------------------------


def _canned_responses_for(person_id: int) -> QuerySet[CannedResponse]:
    return CannedResponse.objects.filter(
        Q(owner_id=person_id)
        | Q(group__in=SupportGroup.objects.filter(members=person_id).values("pk"))
        | Q(owner__isnull=True, group__isnull=True)
    ).select_related("group", "owner")


# Read on every agent's ticket page, for its reply box: compiled once (`core.kept_queries`).
_CANNED_RESPONSES_FOR = KeptQuery(_canned_responses_for)


def canned_responses_for(person: Person) -> QuerySet[CannedResponse]:
    """The ones a person may insert: their own, their groups', and everyone's."""
    return _CANNED_RESPONSES_FOR(person.pk)


def may_share_with_everyone(person: Person) -> bool:
    return person.role == Role.ADMIN


def groups_shareable_by(person: Person) -> QuerySet[SupportGroup]:
    """Groups a person may share canned responses with: an admin any; otherwise the groups
    they lead, or belong to with a lead's role."""
    groups = SupportGroup.objects.filter(is_active=True)
    if person.role == Role.ADMIN:
        return groups
    if person.is_lead:
        return groups.filter(Q(lead=person) | Q(members=person)).distinct()
    return groups.filter(lead=person)


def may_manage(person: Person, response: CannedResponse) -> bool:
    if response.owner_id is not None:
        return response.owner_id == person.pk
    if response.group_id is None:
        return may_share_with_everyone(person)
    return groups_shareable_by(person).filter(pk=response.group_id).exists()


def canned_response_to_manage(person: Person, pk: int) -> CannedResponse:
    """Raises CannedResponse.DoesNotExist unless the person may edit it (one they cannot even
    use is as missing as one that does not exist)."""
    response = canned_responses_for(person).get(pk=pk)
    if not may_manage(person, response):
        raise CannedResponse.DoesNotExist
    return response


@dataclass(frozen=True)
class CannedChoice:
    pk: int
    title: str
    audience: str
    text: str


def canned_choices(agent: Person, ticket: Ticket) -> list[CannedChoice]:
    """The reply box's picker: each usable response with its placeholders filled for `ticket`."""
    return [
        CannedChoice(
            response.pk,
            response.title,
            response.audience,
            canned_text(response.body, ticket, agent),
        )
        for response in canned_responses_for(agent)
    ]
