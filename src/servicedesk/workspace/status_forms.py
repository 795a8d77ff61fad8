"""Forms of the workspace's status pages: they parse what an agent typed; `outages.services`
decide what is allowed (an end before the start, a resolved entry, ...)."""

from __future__ import annotations

from typing import Any

from django import forms

from servicedesk.catalog.models import Service
from servicedesk.directory.models import Person
from servicedesk.outages.choices import DECLARABLE_KINDS, UpdateStage
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.workspace.forms import StyledForm

TITLE_MAX = 160
MESSAGE_MAX = 5_000


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _service_field() -> forms.ModelChoiceField[Service]:
    return forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), label="Service", empty_label="Choose…"
    )


def _title_field() -> forms.CharField:
    return forms.CharField(
        max_length=TITLE_MAX,
        label="Title",
        help_text="What employees notice, e.g. “Email delivery delayed”.",
    )


def _message_field(label: str = "Message for employees") -> forms.CharField:
    return forms.CharField(
        max_length=MESSAGE_MAX,
        label=label,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Public: every signed-in employee reads it. Plain text.",
    )


class DeclareForm(StyledForm):
    service = _service_field()
    kind = forms.ChoiceField(
        label="Kind", choices=[(kind.value, kind.label) for kind in DECLARABLE_KINDS]
    )
    title = _title_field()
    message = _message_field()
    starts_at = forms.DateTimeField(
        label="Started at",
        required=False,
        widget=DateTimeInput(),
        help_text="Leave empty for now.",
    )
    ends_at = forms.DateTimeField(
        label="Expected back by", required=False, widget=DateTimeInput(), help_text="Optional."
    )
    incident_number = forms.CharField(
        label="Linked incident (optional)",
        required=False,
        max_length=16,
        help_text="The incident the desk works this under, e.g. INC0001001. Employees who "
        "say “this is my issue” join it as affected.",
    )

    def __init__(self, *args: Any, viewer: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_incident_number(self) -> Ticket | None:
        number = self.cleaned_data["incident_number"].strip().upper()
        if not number:
            return None
        found = visible_tickets(self.viewer).filter(number=number, kind=TicketKind.INCIDENT).first()
        if found is None:
            raise forms.ValidationError(f"There is no incident {number}.")
        return found


class MaintenanceForm(StyledForm):
    service = _service_field()
    title = _title_field()
    message = _message_field()
    starts_at = forms.DateTimeField(label="Starts at", widget=DateTimeInput())
    ends_at = forms.DateTimeField(label="Ends at", widget=DateTimeInput())


class UpdateForm(StyledForm):
    stage = forms.ChoiceField(label="Where the work stands", choices=UpdateStage.choices)
    message = _message_field("Update for employees")


class ResolveForm(StyledForm):
    message = forms.CharField(
        max_length=MESSAGE_MAX,
        label="Closing word for employees (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
