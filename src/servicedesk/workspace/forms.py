"""The workspace's forms: they parse what an agent typed; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import Category, PriorityCode, RequestType, Service
from servicedesk.core.model_choices import list_model_choices
from servicedesk.directory.choices import STAFF_ROLES
from servicedesk.directory.models import ExternalHelpDesk, Person, SupportGroup
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.limits import REASON_MAX, SHORT_DESCRIPTION_MAX, TEXT_MAX
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import SORTS
from servicedesk.tickets.services.chart_check import priority_code_category_check
from servicedesk.tickets.upload_fields import MultipleFileField

CALL_CHANNELS = [
    (c.value, c.label) for c in (Channel.PHONE, Channel.VOICEMAIL, Channel.WALK_IN, Channel.CHAT)
]


def _staff() -> Any:
    return Person.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
        "first_name", "last_name"
    )


class PriorityCodeField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Codes repeat across categories ("3 – Instructional" is in 1, 2 and 3): name the category."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.category.number} {obj.category.name}: {obj}"


class CodesByCategorySelect(forms.Select):
    """The priority-code list, each code marked with its category, so that the browser offers
    only the chosen category's codes (workspace/priority_codes.js). The server still refuses a
    code of another category beside the field: the list narrows only where scripts run."""

    def __init__(self) -> None:
        super().__init__(attrs={"data-narrowed-by": "category"})

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        code = getattr(value, "instance", None)
        if isinstance(code, PriorityCode):
            option["attrs"]["data-category"] = str(code.category_id)
        return option


class StyledForm(forms.Form):
    """Bootstrap's classes on every widget, so templates render `{{ field }}` as is; drop-down
    lists of rows read with one plain query each (`core.model_choices`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        list_model_choices(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.HiddenInput | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{css} {css}-sm"


def _blank(choices: Any, label: str = "Any") -> list[tuple[str, str]]:
    return [("", label), *choices]


class QueueFilterForm(StyledForm):
    q = forms.CharField(required=False, label="Search")
    state = forms.ChoiceField(required=False, choices=_blank(TicketState.choices))
    priority = forms.ChoiceField(required=False, choices=_blank(Priority.choices))
    kind = forms.ChoiceField(required=False, choices=_blank(TicketKind.choices))
    group = forms.ModelChoiceField(
        required=False, queryset=SupportGroup.objects.filter(is_active=True), empty_label="Any"
    )
    assignee = forms.ModelChoiceField(required=False, queryset=_staff(), empty_label="Anyone")
    service = forms.ModelChoiceField(
        required=False, queryset=Service.objects.filter(is_active=True), empty_label="Any"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            (f"{sign}{key}", f"{key.capitalize()} {'↓' if sign else '↑'}")
            for key in SORTS
            for sign in ("", "-")
        ],
    )


# Scheduled work ahead of overdue work (the service lead or the group's lead approves).
APPROVAL_LABEL = "Supervisor approval: why this goes ahead of overdue work"


class VersionedForm(StyledForm):
    """Carries the ticket version the agent read, so a save over someone's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TriageForm(VersionedForm):
    channel = forms.ChoiceField(choices=Channel.choices)
    service = forms.ModelChoiceField(
        required=False,
        queryset=Service.objects.filter(is_active=True).select_related("default_group"),
    )
    request_type = forms.ModelChoiceField(
        required=False, queryset=RequestType.objects.all(), label="Request type"
    )
    category = forms.ModelChoiceField(required=False, queryset=Category.objects.all())
    priority_code = forms.ModelChoiceField(
        required=False,
        queryset=PriorityCode.objects.select_related("category").prefetch_related("targets"),
        label="Priority code",
        widget=CodesByCategorySelect(),
    )
    impact = forms.ChoiceField(required=False, choices=_blank(Impact.choices, "—"))
    severity = forms.ChoiceField(required=False, choices=_blank(Severity.choices, "—"))
    priority = forms.ChoiceField(
        required=False, choices=_blank(Priority.choices, "From the matrix")
    )
    priority_override_reason = forms.CharField(
        required=False, label="Reason for a different priority", max_length=REASON_MAX
    )
    group = forms.ModelChoiceField(
        required=False,
        queryset=SupportGroup.objects.filter(is_active=True),
        label="Assignment group",
    )
    assignee = forms.ModelChoiceField(required=False, queryset=_staff())

    FIELD_TO_TICKET = {"group": "assignment_group"}

    @classmethod
    def for_ticket(cls, ticket: Ticket, auto_id: str = "id_%s") -> TriageForm:
        return cls(
            auto_id=auto_id,
            initial={
                "version": ticket.version,
                "channel": ticket.channel,
                "service": ticket.service_id,
                "request_type": ticket.request_type_id,
                "category": ticket.category_id,
                "priority_code": ticket.priority_code_id,
                "impact": ticket.impact,
                "severity": ticket.severity,
                "priority": ticket.priority if ticket.priority_override_reason else "",
                "priority_override_reason": ticket.priority_override_reason,
                "group": ticket.assignment_group_id,
                "assignee": ticket.assignee_id,
            },
        )

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "channel",
                "service",
                "request_type",
                "category",
                "priority_code",
                "impact",
                "severity",
                "priority",
                "priority_override_reason",
            )
        }


class CommentForm(StyledForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Reply or note", max_length=TEXT_MAX
    )
    attachments = MultipleFileField(
        required=False,
        label="Attach files",
        help_text="Files on an internal note are seen by staff only.",
    )
    internal = forms.TypedChoiceField(
        choices=[("0", "Public reply (the requester sees it)"), ("1", "Internal note")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
        label="Visibility",
    )


class StateForm(VersionedForm):
    to = forms.ChoiceField(choices=TicketState.choices, label="New state")
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX
    )
    force_reason = forms.CharField(
        required=False,
        label="Close with open tasks anyway (leads): reason",
        max_length=REASON_MAX,
    )
    approval_reason = forms.CharField(required=False, label=APPROVAL_LABEL, max_length=REASON_MAX)


class AssignForm(VersionedForm):
    group = forms.ModelChoiceField(
        required=False, queryset=SupportGroup.objects.filter(is_active=True)
    )
    assignee = forms.ModelChoiceField(required=False, queryset=_staff())
    approval_reason = forms.CharField(required=False, label=APPROVAL_LABEL, max_length=REASON_MAX)


class EscalateForm(VersionedForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why escalate?", max_length=TEXT_MAX
    )
    group = forms.ModelChoiceField(
        required=False,
        queryset=SupportGroup.objects.filter(is_active=True),
        label="To group (empty: the service's group)",
    )


class ResolveToDeskForm(VersionedForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="What fixed it?", max_length=TEXT_MAX
    )


class TaskForm(StyledForm):
    group = forms.ModelChoiceField(
        queryset=SupportGroup.objects.filter(is_active=True), label="Team"
    )
    short_description = forms.CharField(max_length=SHORT_DESCRIPTION_MAX, label="Task")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX
    )


class DuplicateForm(VersionedForm):
    first = forms.CharField(max_length=16, label="First report (number)")


class ConvertForm(VersionedForm):
    reason = forms.CharField(
        required=False,
        label="Why (kept in the history)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
    )


class ProblemForm(StyledForm):
    short_description = forms.CharField(max_length=SHORT_DESCRIPTION_MAX, label="Problem")
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX
    )


class RedirectForm(VersionedForm):
    help_desk = forms.ModelChoiceField(
        queryset=ExternalHelpDesk.objects.filter(is_active=True), label="Help desk"
    )
    note = forms.CharField(required=False, label="Note for the requester", max_length=TEXT_MAX)


class PlanForm(VersionedForm):
    planned_for = forms.DateField(
        required=False,
        label="Planned for (empty: not planned yet)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CallForm(StyledForm):
    caller = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        error_messages={"required": "Find the caller and pick them."},
    )
    channel = forms.ChoiceField(choices=CALL_CHANNELS, initial=Channel.PHONE)
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in (TicketKind.INCIDENT, TicketKind.REQUEST)]
    )
    short_description = forms.CharField(max_length=SHORT_DESCRIPTION_MAX)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )
    service = forms.ModelChoiceField(
        required=False, queryset=Service.objects.filter(is_active=True)
    )
    received_at = forms.DateTimeField(
        required=False,
        label="Received at (empty: now)",
        help_text="When the call came in or the voicemail was left; the SLA counts from then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    request_type = forms.ModelChoiceField(
        required=False,
        queryset=RequestType.objects.filter(is_offered=True),
        label="Request type",
        help_text="Sets the SLA targets, group and category of a service request.",
    )
    # The Customer Care Center prioritizes on entry (the school district's SLA chart).
    category = forms.ModelChoiceField(
        required=False, queryset=Category.objects.all(), empty_label="Not yet (the desk reviews)"
    )
    priority_code = PriorityCodeField(
        required=False,
        queryset=PriorityCode.objects.select_related("category").prefetch_related("targets"),
        label="Priority code",
        help_text="Its category's SLA target; a code alone sets its category.",
        widget=CodesByCategorySelect(),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["category"] = priority_code_category_check(
                category=data.get("category"), priority_code=data.get("priority_code")
            )
        except TicketError as refused:
            self.add_error("priority_code", refused.message)
        return data


class TakeForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        required=False, queryset=_staff(), label="Give to (leads; empty: me)"
    )
    approval_reason = forms.CharField(required=False, label=APPROVAL_LABEL, max_length=REASON_MAX)


class SaveViewForm(StyledForm):
    name = forms.CharField(max_length=60, label="Save these filters as a view named")
    queue = forms.CharField(widget=forms.HiddenInput)
    query = forms.CharField(widget=forms.HiddenInput, required=False)


class RenameViewForm(StyledForm):
    name = forms.CharField(max_length=60, label="New name")


class CannedResponseForm(StyledForm):
    title = forms.CharField(max_length=80)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX,
        label="Text",
        help_text="Placeholders such as {{ requester.first_name }} are listed below.",
    )
    audience = forms.ChoiceField(label="Who can use it")

    def __init__(self, *args: Any, audiences: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = audiences


class WatchForm(StyledForm):
    watching = forms.BooleanField(required=False, widget=forms.HiddenInput)
