"""Forms of the workspace's major-incident pages: they parse what an agent typed; the outages
services decide what is allowed (a closed ticket, an empty update, an internal note to
partners, ...)."""

from __future__ import annotations

from typing import Any

from django import forms

from servicedesk.directory.models import DistributionList
from servicedesk.outages.choices import Audience, UpdateStage
from servicedesk.workspace.forms import StyledForm

MESSAGE_MAX = 5_000
UPDATE_STAGES = [(v, label) for v, label in UpdateStage.choices if v != UpdateStage.RESOLVED]


class PrefixedForm(StyledForm):
    """Several forms share one page and field names: ids (and so labels) stay unique."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


def _message(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    # Not required at the form: the service refuses an empty text with its own words.
    return forms.CharField(
        max_length=MESSAGE_MAX,
        required=required,
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclareMajorForm(PrefixedForm):
    id_prefix = "declare"
    public_message = _message(
        "Message for the status page",
        help_text="Posted as an outage on the status page; every signed-in employee reads it.",
    )


class AttachForm(PrefixedForm):
    id_prefix = "attach"
    tickets = forms.CharField(
        required=False,
        label="Incident numbers",
        help_text="Or tick them in the list. Separate several with spaces or commas.",
    )

    def numbers(self, picked: list[str]) -> list[str]:
        typed = self.cleaned_data.get("tickets", "").replace(",", " ").split()
        return list(dict.fromkeys(n.strip().upper() for n in [*picked, *typed] if n.strip()))


class ScopeForm(PrefixedForm):
    id_prefix = "scope"
    all_users = forms.BooleanField(required=False, label="All users are affected")


def _partner_lists() -> forms.ModelMultipleChoiceField[DistributionList]:
    return forms.ModelMultipleChoiceField(
        queryset=DistributionList.objects.all(),
        required=False,
        label="Partner lists",
        help_text="None ticked: the service's communication plan decides.",
        widget=forms.CheckboxSelectMultiple,
    )


class AnyChoices(forms.MultipleChoiceField):
    """Unknown values reach the service, which names them, instead of a generic refusal."""

    def valid_value(self, value: Any) -> bool:
        return True


class UpdateForm(PrefixedForm):
    id_prefix = "update"
    stage = forms.ChoiceField(choices=UPDATE_STAGES, label="Stage")
    message = _message("Update")
    audiences = AnyChoices(
        choices=Audience.choices,
        required=False,
        label="Send to",
        widget=forms.CheckboxSelectMultiple,
    )
    partner_lists = _partner_lists()
    internal = forms.BooleanField(required=False, label="Internal note (the incident team only)")


class CorrectForm(PrefixedForm):
    id_prefix = "correct"
    message = _message("Corrected text")
    withdraw = forms.BooleanField(required=False, label="Withdraw it instead")


class ResolveForm(PrefixedForm):
    id_prefix = "resolve"
    message = _message("How was the service restored?")
    audiences = forms.MultipleChoiceField(
        choices=[(v, label) for v, label in Audience.choices if v != Audience.TEAM],
        required=False,
        label="Also tell",
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone affected always gets one resolution message.",
    )
    partner_lists = _partner_lists()


class RootCauseForm(PrefixedForm):
    id_prefix = "review"
    root_cause = _message("Root cause")
    open_problem = forms.BooleanField(required=False, label="Open a problem for it")
