"""The admin's "Connect" on a mailbox: off to the provider's sign-in and back (OAuth 2.0
authorization code with PKCE); the views are thin, `oauth.py` does the work.

What must survive the trip (which mailbox, the PKCE verifier) stays in the admin's session,
keyed by the random `state` the provider hands back: a callback nobody here started is refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.mail.models import Mailbox, MailboxOAuthToken
from servicedesk.mail.oauth import OAuthError, consent_request, mailbox_connect, mailbox_disconnect

SESSION_KEY = "mail_oauth_consents"
# Consents started but not finished, per admin: an abandoned one does not pile up for ever.
KEPT_CONSENTS = 5


def callback_url(request: HttpRequest) -> str:
    """The redirect URI to register at the provider: on the configured public address if there
    is one (behind a proxy the request may not know it is served over HTTPS)."""
    where = reverse("admin:mail_mailbox_oauth_callback")
    if settings.ENV.base_url_configured:
        return settings.SERVICEDESK_BASE_URL + where
    return request.build_absolute_uri(where)


class ConsentViews(admin.ModelAdmin[Mailbox]):
    """Mixed into the mailbox admin: Connect, the provider's callback, Disconnect."""

    def get_urls(self) -> list[URLPattern]:
        guarded = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/connect/",
                guarded(self.connect_view),
                name="mail_mailbox_oauth_connect",
            ),
            path(
                "<int:pk>/disconnect/",
                guarded(require_POST(self.disconnect_view)),
                name="mail_mailbox_oauth_disconnect",
            ),
            path(
                "oauth/callback/",
                guarded(self.callback_view),
                name="mail_mailbox_oauth_callback",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "oauth_connection": MailboxOAuthToken.objects.filter(mailbox_id=object_id)
            .select_related("connected_by")
            .first()
            if str(object_id).isdigit()
            else None,
            "oauth_callback_url": callback_url(request),
        }
        return super().change_view(request, object_id, form_url, context)

    def _editable(self, request: HttpRequest, pk: int) -> Mailbox:
        mailbox = get_object_or_404(Mailbox.objects.select_related("oauth_application"), pk=pk)
        if not self.has_change_permission(request, mailbox):
            raise PermissionDenied
        return mailbox

    def _back_to(self, mailbox_pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:mail_mailbox_change", args=[mailbox_pk]))

    def connect_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        mailbox = self._editable(request, pk)
        if mailbox.oauth_application is None:
            messages.error(request, _("Choose an OAuth 2.0 application for this mailbox first."))
            return self._back_to(pk)
        redirect_uri = callback_url(request)
        started = consent_request(mailbox.oauth_application, redirect_uri)
        pending: dict[str, Any] = dict(request.session.get(SESSION_KEY, {}))
        pending[started.state] = {
            "mailbox": mailbox.pk,
            "verifier": started.code_verifier,
            "redirect_uri": redirect_uri,
        }
        request.session[SESSION_KEY] = dict(list(pending.items())[-KEPT_CONSENTS:])
        return HttpResponseRedirect(started.url)

    def callback_view(self, request: HttpRequest) -> HttpResponse:
        pending: dict[str, Any] = dict(request.session.get(SESSION_KEY, {}))
        started = pending.pop(request.GET.get("state", ""), None)
        request.session[SESSION_KEY] = pending
        if started is None:
            messages.error(
                request,
                _("This sign-in was not started here, or was already used. Click Connect again."),
            )
            return HttpResponseRedirect(reverse("admin:mail_mailbox_changelist"))
        mailbox = self._editable(request, int(started["mailbox"]))
        if "error" in request.GET or not request.GET.get("code"):
            messages.error(
                request,
                _("The provider did not connect the mailbox: %(reason)s")
                % {"reason": request.GET.get("error_description") or request.GET.get("error")},
            )
            return self._back_to(mailbox.pk)
        try:
            connection = mailbox_connect(
                mailbox,
                code=request.GET["code"],
                code_verifier=started["verifier"],
                redirect_uri=started["redirect_uri"],
                by=request.user,
            )
        except OAuthError as failed:
            messages.error(request, _("Not connected: %(reason)s") % {"reason": failed})
            return self._back_to(mailbox.pk)
        messages.success(
            request,
            _("Connected as %(account)s.") % {"account": connection.account or mailbox.imap_user},
        )
        return self._back_to(mailbox.pk)

    def disconnect_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        mailbox = self._editable(request, pk)
        mailbox_disconnect(mailbox)
        messages.success(request, _("Disconnected: the stored tokens are deleted."))
        return self._back_to(pk)
