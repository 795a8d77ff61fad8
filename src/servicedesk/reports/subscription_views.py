"""Subscriptions' pages: subscribe (a saved view or the dashboard), list mine, cancel (thin)."""

from __future__ import annotations

import re
import uuid
from datetime import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from servicedesk.directory.choices import STAFF_ROLES, Role
from servicedesk.directory.models import DistributionList, Person
from servicedesk.reports.errors import ReportError
from servicedesk.reports.models import Frequency, Subscription, Weekday
from servicedesk.reports.subscription_services import (
    SubscriptionRequest,
    may_cancel,
    subscription_cancel,
    subscription_create,
)
from servicedesk.reports.views import staff_viewer
from servicedesk.workspace.selectors import saved_views_of

HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class SubscriptionForm(forms.Form):
    saved_view = forms.IntegerField(
        required=False, label=_("What"), widget=forms.Select(attrs={"class": "form-select"})
    )
    dashboard = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        label=_("How often"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    weekday = forms.TypedChoiceField(
        choices=[("", _("(weekly only)")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Day of the week"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    send_at = forms.CharField(
        max_length=5,
        label=_("Time"),
        help_text=_("24-hour HH:MM, in your own time zone."),
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "07:30"}),
    )
    distribution_list = forms.ModelChoiceField(
        queryset=DistributionList.objects.all(),
        required=False,
        label=_("Send to a distribution list instead of me"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    viewer = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_active=True, role__in=STAFF_ROLES),
        required=False,
        label=_("Whose view of the tickets the list receives"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        views = [(view.pk, view.name) for view in saved_views_of(person)]
        self.fields["saved_view"].widget.choices = [("", _("The dashboard")), *views]
        if person.role != Role.ADMIN:
            del self.fields["distribution_list"]
            del self.fields["viewer"]

    def clean_send_at(self) -> time:
        given = self.cleaned_data["send_at"].strip()
        matched = HH_MM.match(given)
        if matched is None:
            raise forms.ValidationError(
                _("Write the time as HH:MM on a 24-hour clock, e.g. 07:30.")
            )
        return time(int(matched[1]), int(matched[2]))

    def wanted(self) -> SubscriptionRequest:
        data = self.cleaned_data
        return SubscriptionRequest(
            saved_view_id=data["saved_view"],
            dashboard_params=QueryDict(data["dashboard"] or ""),
            frequency=data["frequency"],
            weekday=data["weekday"],
            send_at=data["send_at"],
            distribution_list=data.get("distribution_list"),
            viewer=data.get("viewer"),
        )


def _listed(person: Person) -> list[Subscription]:
    mine = Subscription.objects.filter(cancelled_at__isnull=True).select_related(
        "saved_view", "distribution_list", "viewer"
    )
    if person.role == Role.ADMIN:
        return [s for s in mine if s.viewer_id == person.pk or s.distribution_list_id]
    return list(mine.filter(viewer=person, distribution_list__isnull=True))


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    """My subscriptions (an admin also sees the lists'), and the form to add one."""
    person = staff_viewer(request)
    if request.method == "POST":
        form = SubscriptionForm(request.POST, person=person)
        if form.is_valid():
            try:
                subscription_create(actor=person, wanted=form.wanted())
            except ReportError as refused:
                form.add_error(refused.field, refused.message)
            else:
                messages.info(request, _("Subscribed."))
                return redirect("reports:subscriptions")
        status = 400
    else:
        initial = {
            "saved_view": request.GET.get("view", ""),
            "dashboard": request.GET.get("dashboard", ""),
        }
        form = SubscriptionForm(initial=initial, person=person)
        status = 200
    return render(
        request,
        "reports/subscriptions.html",
        {"form": form, "subscriptions": _listed(person), "zone": person.time_zone},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscription_cancel_view(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The cancel link of every mail: a confirmation, then no more mails."""
    person = staff_viewer(request)
    subscription = get_object_or_404(
        Subscription.objects.select_related("saved_view", "distribution_list"), key=key
    )
    if not may_cancel(person, subscription):
        raise Http404
    if request.method == "POST":
        subscription_cancel(subscription, actor=person)
        messages.info(request, _("Cancelled: no more mails of this subscription."))
        return redirect("reports:subscriptions")
    return render(request, "reports/subscription_cancel.html", {"subscription": subscription})
