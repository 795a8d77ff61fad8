"""The mail preferences form: one checkbox per optional kind of mail."""

from __future__ import annotations

from typing import Any

from django import forms

from servicedesk.directory.models import Person
from servicedesk.notifications.services import MAIL_SWITCHES

# Switches that only concern people who work tickets: a requester is never assigned one.
STAFF_ONLY = {"email_assignments", "email_sla_alerts"}


def offered_switches(person: Person) -> list[tuple[str, tuple[str, ...], str]]:
    """The switches this person is shown: requesters only hear of their own tickets."""
    return [
        switch for switch in MAIL_SWITCHES if person.is_staff_member or switch[0] not in STAFF_ONLY
    ]


class PreferencesForm(forms.Form):
    """`kinds` holds the first kind each ticked switch governs (the value `preferences_save`
    understands)."""

    kinds = forms.MultipleChoiceField(
        label="Send me an e-mail for",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.switches = offered_switches(person)
        field = self.fields["kinds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(kinds[0], label) for _, kinds, label in self.switches]
