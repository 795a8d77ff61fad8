"""The portal's forms: labels and required marks from the state agency's filing procedure; rules
stay in the services.

Forms check what a person typed (lengths, required fields on submit, the attachment policy) so
that errors appear next to the field; the services check the same rules again on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from servicedesk.directory.models import Person
from servicedesk.directory.selectors import people_visible
from servicedesk.tickets.attachments_policy import display_name, upload_refusal_from_settings
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.limits import SHORT_DESCRIPTION_MAX, TEXT_MAX
from servicedesk.tickets.models import TicketDraft

BODY_MAX = TEXT_MAX

# The state agency's filing procedure's wording for each form.
LABELS = {
    TicketKind.INCIDENT: {
        "short_description": "Short description",
        "description": "Please describe your issue in more detail",
        "description_help": "The more information you can provide here, the more efficient the "
        "support organization will be in diagnosing and resolving your incident.",
    },
    TicketKind.REQUEST: {
        "short_description": "Short description",
        "description": "Description",
        "description_help": "What do you need, for whom, and by when?",
    },
}


class BootstrapForm(forms.Form):
    """Gives text inputs Bootstrap's look; layout stays in the templates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.TextInput | forms.Textarea):
                widget.attrs.setdefault("class", "form-control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each checked against the attachment policy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        refusals = [
            refusal
            for upload in files
            if (refusal := upload_refusal_from_settings(display_name(upload.name), upload.size))
        ]
        if refusals:
            refusals.append("Nothing was attached; choose the files you want to keep again.")
            raise forms.ValidationError(refusals)
        return files


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label="Add attachments",
        required=False,
        help_text="Drag files here or choose them: screenshots of an error help the most.",
    )


class TicketForm(BootstrapForm):
    """Something broken? (incident) or Request assistance (service request)."""

    requester = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Requested by", required=False
    )
    short_description = forms.CharField(max_length=SHORT_DESCRIPTION_MAX)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=BODY_MAX)
    affected = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label="Who does this issue affect?",
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    attachments = attachments_field()
    remove_attachments = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label="Remove", widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        viewer: Person,
        kind: TicketKind,
        draft: TicketDraft | None = None,
        submitting: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.kind = kind
        self.submitting = submitting
        visible = people_visible(viewer)
        labels = LABELS[kind]
        requester = self.fields["requester"]
        assert isinstance(requester, forms.ModelChoiceField)
        requester.queryset = visible
        requester.widget = forms.HiddenInput()
        affected = self.fields["affected"]
        assert isinstance(affected, forms.ModelMultipleChoiceField)
        affected.queryset = visible
        self.fields["short_description"].label = labels["short_description"]
        self.fields["description"].label = labels["description"]
        self.fields["description"].help_text = labels["description_help"]
        staged = list(draft.attachments.all()) if draft else []
        removable = self.fields["remove_attachments"]
        assert isinstance(removable, forms.TypedMultipleChoiceField)
        removable.choices = [(item.pk, item.original_name) for item in staged]
        if kind != TicketKind.INCIDENT:
            del self.fields["affected"]
        # A draft may be saved half-written; submitting needs the required fields of the state
        # agency's filing procedure.
        for name in self.required_on_submit:
            self.fields[name].required = submitting

    @property
    def required_on_submit(self) -> Sequence[str]:
        names = ["short_description", "description"]
        return [*names, "affected"] if self.kind == TicketKind.INCIDENT else names

    def clean_requester(self) -> Person:
        chosen = self.cleaned_data.get("requester")
        if chosen is None or chosen == self.viewer:
            return self.viewer
        if not self.viewer.is_staff_member:
            raise forms.ValidationError("You can only file tickets for yourself.")
        assert isinstance(chosen, Person)
        return chosen

    def service_arguments(self) -> dict[str, Any]:
        """What `draft_save` and `ticket_file` take, from the cleaned data."""
        data = self.cleaned_data
        requester = data["requester"]
        return {
            "kind": self.kind,
            "short_description": data.get("short_description") or "",
            "description": data.get("description") or "",
            "requester": None if requester == self.viewer else requester,
            "affected_people": list(data.get("affected") or []),
            "uploads": list(data.get("attachments") or []),
        }


class ReplyForm(BootstrapForm):
    body = forms.CharField(
        label="Your reply",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The service desk sees this and answers here.",
    )
    attachments = attachments_field()


class DisputeForm(BootstrapForm):
    reason = forms.CharField(
        label="What is still wrong?",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SurveyForm(BootstrapForm):
    rating = forms.TypedChoiceField(
        label="How satisfied are you with how this ticket was handled?",
        coerce=int,
        choices=[
            (5, "5 – Very satisfied"),
            (4, "4 – Satisfied"),
            (3, "3 – Neither"),
            (2, "2 – Dissatisfied"),
            (1, "1 – Very dissatisfied"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Anything you would like to tell us? (optional)",
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
