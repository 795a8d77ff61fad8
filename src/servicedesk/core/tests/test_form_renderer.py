"""The drop-down lists written in Python give the very HTML Django's templates give."""

from __future__ import annotations

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


def test_a_select_with_options_of_another_template_goes_to_django() -> None:
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    form = forms.Form(renderer=SelectRenderer())
    form.fields["x"] = forms.ChoiceField(choices=[("a", "A")], widget=Marked)
    html = str(form["x"])
    assert 'value="a"' in html and "<option" not in html
