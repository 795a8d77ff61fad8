"""The drop-down lists written in Python give the very HTML Django's templates give."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from servicedesk.core.form_renderer import SelectRenderer
from servicedesk.directory.models import Person


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Apple"), ("b", 'Bread & "butter" <b>')])
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("Fruit", [("1", "Pear"), ("2", "Plum")]), ("3", "Loose")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "data-x": 'a"b', "disabled": True}),
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, mark_safe("<i>Two</i>"))])
    person = forms.ModelChoiceField(queryset=Person.objects.order_by("pk"), required=False)


def test_selects_render_as_django_renders_them(db: None, org) -> None:
    data = {"plain": "b", "grouped": "2", "many": ["1", "2"], "person": str(org.employee.pk)}
    for given in (None, data):
        djangos = Everything(data=given, renderer=DjangoTemplates())
        ours = Everything(data=given, renderer=SelectRenderer())
        for name in djangos.fields:
            assert str(ours[name]) == str(djangos[name]), name
            assert "<option" in str(ours[name])


class Typed(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control", "data-x": 'a"b'}))
    number = forms.IntegerField(required=False)
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(widget=forms.EmailInput(attrs={"readonly": True, "autofocus": False}))
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=50)
    blank = forms.CharField(widget=forms.Textarea, required=False)


def test_inputs_and_text_areas_render_as_django_renders_them() -> None:
    typed = {"text": 'Tom & "Jerry" <b>', "number": "12", "hidden": "3", "email": "a@b.example"}
    typed |= {"when": "2026-12-03", "body": "Line one\n<script>alert(1)</script>", "blank": ""}
    for given in (None, typed):
        djangos = Typed(data=given, initial={"number": 0}, renderer=DjangoTemplates())
        ours = Typed(data=given, initial={"number": 0}, renderer=SelectRenderer())
        for name in djangos.fields:
            assert str(ours[name]) == str(djangos[name]), name
    assert "&lt;script&gt;" in str(Typed(data=typed, renderer=SelectRenderer())["body"])


class Picked(forms.Form):
    audience = forms.ChoiceField(
        choices=[("public", "Reply to the requester"), ("internal", 'Note <for> "staff"')],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("1", "Pear"), ("2", "Plum")]), ("3", "Loose")],
        widget=forms.RadioSelect,
        required=False,
    )
    days = forms.MultipleChoiceField(
        choices=[(1, "Monday"), (2, mark_safe("<i>Tuesday</i>"))],
        widget=forms.CheckboxSelectMultiple,
    )
    upload = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"multiple": False})
    )


class Recording(SelectRenderer):
    """Ours, noting each template it hands to Django's renderer."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: list[str] = []

    def get_template(self, template_name: str) -> Any:
        self.handed.append(template_name)
        return super().get_template(template_name)


def test_radio_buttons_check_boxes_and_uploads_render_as_django_renders_them() -> None:
    picked = {"audience": "internal", "grouped": "2", "days": ["2"]}
    for given in (None, picked):
        for auto_id in ("id_%s", "reply-%s", False):
            djangos = Picked(data=given, auto_id=auto_id, renderer=DjangoTemplates())
            recording = Recording()
            ours = Picked(data=given, auto_id=auto_id, renderer=recording)
            for name in djangos.fields:
                assert str(ours[name]) == str(djangos[name]), (name, auto_id)
            assert recording.handed == [], "written in Python, none by Django's templates"
    assert "&lt;for&gt;" in str(Picked(renderer=SelectRenderer())["audience"])


def test_a_select_with_options_of_another_template_goes_to_django() -> None:
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    form = forms.Form(renderer=SelectRenderer())
    form.fields["x"] = forms.ChoiceField(choices=[("a", "A")], widget=Marked)
    html = str(form["x"])
    assert 'value="a"' in html and "<option" not in html
