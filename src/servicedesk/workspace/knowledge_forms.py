"""Forms of the workspace's knowledge pages: they parse what an author typed; the knowledge
services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from servicedesk.catalog.models import Category, Service
from servicedesk.directory.models import Person
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.workspace.forms import StyledForm


def _blank(choices: Any, label: str = "Any") -> list[tuple[str, str]]:
    return [("", label), *choices]


class ArticleFilterForm(StyledForm):
    q = forms.CharField(required=False, label="Search", max_length=200)
    state = forms.ChoiceField(required=False, choices=_blank(ArticleState.choices))


class ArticleForm(StyledForm):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300,
        required=False,
        help_text="One or two sentences, shown in search results.",
    )
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Plain text. Leave a blank line between paragraphs; web addresses become links.",
    )
    keywords = forms.CharField(
        max_length=300,
        required=False,
        help_text="Other words people use for this, separated by commas.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="None"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False, empty_label="None"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class KnownErrorFilterForm(StyledForm):
    q = forms.CharField(required=False, label="Search", max_length=200)
    state = forms.ChoiceField(
        required=False,
        choices=_blank(KnownErrorState.choices),
        initial=KnownErrorState.OPEN,
    )


class KnownErrorForm(StyledForm):
    title = forms.CharField(max_length=200)
    symptoms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What people see, in their words."
    )
    workaround = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the desk can tell people to do until the cause is fixed.",
    )
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Root cause, if known"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False, empty_label="None"
    )
    problem = forms.CharField(
        required=False,
        max_length=16,
        label="Problem ticket",
        help_text="The PRB number chasing the root cause, e.g. PRB0001001.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, viewer: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_problem(self) -> Ticket | None:
        number = self.cleaned_data["problem"].strip().upper()
        if not number:
            return None
        found = (
            visible_tickets(self.viewer)
            .filter(kind=TicketKind.PROBLEM, number=number)
            .select_related("service")
            .first()
        )
        if found is None:
            raise forms.ValidationError(f"There is no problem {number}.")
        return found


class KnownErrorCloseForm(StyledForm):
    state = forms.ChoiceField(
        label="Close as",
        choices=[
            (KnownErrorState.FIXED.value, "Fixed: the root cause is gone"),
            (KnownErrorState.RETIRED.value, "Retired: no longer relevant"),
        ],
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
