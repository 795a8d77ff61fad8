"""The portal's forms: labels and required marks from the state agency's filing procedure; rules
stay in the services.

Forms check what a person typed (lengths, required fields on submit, the attachment policy) so
that errors appear next to the field; the services check the same rules again on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from servicedesk.catalog.answers import (
    LONG_TEXT_MAX,
    YES,
    InvalidAnswersError,
    RawValue,
    answers_check,
    form_fields,
)
from servicedesk.catalog.answers import (
    TEXT_MAX as ANSWER_TEXT_MAX,
)
from servicedesk.catalog.choices import FieldKind
from servicedesk.catalog.models import RequestType, RequestTypeField
from servicedesk.directory.models import Person
from servicedesk.directory.selectors import people_visible
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.limits import SHORT_DESCRIPTION_MAX, TEXT_MAX
from servicedesk.tickets.models import TicketDraft
from servicedesk.tickets.requester_rules import may_file_for
from servicedesk.tickets.services.answers import answer_field_name
from servicedesk.tickets.upload_fields import MultipleFileField

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


class TextListField(forms.Field):
    """Several texts under one name (checkboxes); the catalog's rules judge them."""

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(item) for item in values]


def question_field(question: RequestTypeField) -> forms.Field:
    """The form field for one question of a request type. The fields accept any text: what is
    required, which options exist and what a date looks like is `catalog.answers`' to say, so
    the portal, the workspace and the API give the same message."""
    options = [(option, option) for option in question.option_list]
    widget: forms.Widget
    if question.kind == FieldKind.MULTIPLE_CHOICE:
        field: forms.Field = TextListField(widget=forms.CheckboxSelectMultiple(choices=options))
    else:
        if question.kind == FieldKind.LONG_TEXT:
            widget = forms.Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT_MAX})
        elif question.kind == FieldKind.CHOICE:
            widget = forms.Select(choices=[("", "— Choose —"), *options])
        elif question.kind == FieldKind.DATE:
            widget = forms.DateInput(attrs={"type": "date", "placeholder": "YYYY-MM-DD"})
        elif question.kind == FieldKind.YES_NO:
            widget = forms.RadioSelect(choices=[(YES, "Yes"), ("no", "No")])
        elif question.kind == FieldKind.PERSON:
            widget = forms.HiddenInput()
        else:
            widget = forms.TextInput(attrs={"maxlength": ANSWER_TEXT_MAX})
        field = forms.CharField(widget=widget, strip=True)
    field.required = False
    field.label = question.label
    field.help_text = question.help_text
    if isinstance(field.widget, forms.RadioSelect):
        field.widget.attrs["class"] = "form-check-input"
    elif isinstance(field.widget, forms.Select):
        field.widget.attrs["class"] = "form-select"
    elif isinstance(field.widget, forms.TextInput | forms.Textarea):
        field.widget.attrs["class"] = "form-control"
    return field


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
        request_type: RequestType | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.kind = kind
        self.submitting = submitting
        self.request_type = request_type
        self.questions = list(form_fields(request_type)) if request_type else []
        for question in self.questions:
            self.fields[answer_field_name(question.key)] = question_field(question)
        visible = people_visible(viewer)
        labels = LABELS[kind]
        requester = self.fields["requester"]
        assert isinstance(requester, forms.ModelChoiceField)
        requester.queryset = visible
        requester.widget = forms.HiddenInput()
        # Someone the access policy does not let this person find is someone they cannot file
        # for either: say so in the same words as `clean_requester`.
        requester.error_messages["invalid_choice"] = (
            "You can file for colleagues of your own agency; ask them to file it, or call the desk."
        )
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
        if request_type is not None:
            # The form's own questions carry the details; the description is for anything else.
            self.fields["description"].label = "Anything else the desk should know?"
            self.fields["description"].help_text = ""
            self.fields["description"].required = False

    @property
    def required_on_submit(self) -> Sequence[str]:
        if self.request_type is not None:
            return ["short_description"]
        names = ["short_description", "description"]
        return [*names, "affected"] if self.kind == TicketKind.INCIDENT else names

    def clean_requester(self) -> Person:
        chosen = self.cleaned_data.get("requester")
        if chosen is None or chosen == self.viewer:
            return self.viewer
        assert isinstance(chosen, Person)
        if not may_file_for(self.viewer, chosen):
            raise forms.ValidationError(
                f"You can file for colleagues of your own agency; {chosen} is not one. "
                "Ask them to file it, or call the desk."
            )
        return chosen

    def raw_answers(self) -> dict[str, RawValue]:
        """What was typed for each question, by its key (also from a form that is invalid)."""
        raw: dict[str, RawValue] = {}
        for question in self.questions:
            name = answer_field_name(question.key)
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if value:
                raw[question.key] = value
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.request_type is None:
            return cleaned
        try:
            answers_check(
                self.request_type, self.raw_answers(), viewer=self.viewer, require=self.submitting
            )
        except InvalidAnswersError as invalid:
            for key, message in invalid.errors.items():
                name = answer_field_name(key)
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def question_rows(self) -> list[QuestionRow]:
        """Each question with its bound field, for the template (conditions and pickers)."""
        chosen = self._chosen_people()
        rows = []
        for question in self.questions:
            name = answer_field_name(question.key)
            condition = question.shown_when
            rows.append(
                QuestionRow(
                    question=question,
                    field=self[name],
                    shown_when=answer_field_name(condition.key) if condition else "",
                    chosen=[chosen[name]] if name in chosen else [],
                )
            )
        return rows

    def _chosen_people(self) -> dict[str, Person]:
        names = [
            answer_field_name(question.key)
            for question in self.questions
            if question.kind == FieldKind.PERSON
        ]
        ids = {name: str(self[name].value() or "") for name in names}
        found = people_visible(self.viewer).in_bulk(
            [int(value) for value in ids.values() if value.isdigit()]
        )
        return {
            name: found[int(value)]
            for name, value in ids.items()
            if value.isdigit() and int(value) in found
        }

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
            "request_type": self.request_type,
            "answers": self.raw_answers() if self.request_type else None,
        }


@dataclass(frozen=True)
class QuestionRow:
    question: RequestTypeField
    field: forms.BoundField
    shown_when: str
    chosen: list[Person]


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
