"""Account self-service in the portal's look: change a password, or reset a forgotten one.

Django's own views and forms do the work (one-time links, the password validators, never saying
whether an address is known); this module only gives them the portal's templates and addresses.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

logger = logging.getLogger(__name__)


class QuietPasswordResetForm(PasswordResetForm):
    """A mail server that is down must not tell anyone, by an error page, that the address is
    known: the failure is logged and the page says what it always says."""

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().send_mail(*args, **kwargs)
        except OSError:
            logger.exception("Could not send a password reset mail")


class PortalLook:
    """Bootstrap's look for the fields of Django's account forms."""

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)  # type: ignore[misc]
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form


class PasswordReset(PortalLook, auth_views.PasswordResetView):
    form_class = QuietPasswordResetForm
    template_name = "portal/account/password_reset_form.html"
    email_template_name = "portal/account/password_reset_email.txt"
    subject_template_name = "portal/account/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_sent")


class PasswordResetSent(auth_views.PasswordResetDoneView):
    template_name = "portal/account/password_reset_sent.html"


class PasswordResetConfirm(PortalLook, auth_views.PasswordResetConfirmView):
    template_name = "portal/account/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "portal/account/password_reset_complete.html"


@method_decorator(login_required, name="dispatch")
class PasswordChange(PortalLook, auth_views.PasswordChangeView):
    template_name = "portal/account/password_change.html"
    success_url = reverse_lazy("portal:password_change_done")


@method_decorator(login_required, name="dispatch")
class PasswordChangeDone(auth_views.PasswordChangeDoneView):
    template_name = "portal/account/password_change_done.html"
