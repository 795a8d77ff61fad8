"""Admin: mailboxes, and the inbound list where agents find quarantined and failed mail."""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from servicedesk.core.read_only_admin import ReadOnlyAdmin
from servicedesk.directory.models import Person
from servicedesk.mail.choices import OAuthProvider
from servicedesk.mail.consent import ConsentViews
from servicedesk.mail.ingest import reprocess
from servicedesk.mail.models import (
    InboundMessage,
    InboundReview,
    Mailbox,
    MailboxOAuthToken,
    OAuthApplication,
)
from servicedesk.mail.review import ReviewRefusedError, held_discard, held_release


class MailboxForm(forms.ModelForm[Mailbox]):
    # Write-only: the stored password is never sent back to a browser; blank keeps it.
    imap_password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted and never shown again. Leave blank to keep the current one.",
    )
    forget_imap_password = forms.BooleanField(
        required=False, label="Forget the stored IMAP password"
    )

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "address",
            "imap_host",
            "imap_port",
            "imap_user",
            "imap_password",
            "imap_folder",
            "imap_security",
            "oauth_application",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "from_address",
            "agency",
            "service",
            "default_kind",
            "assignment_group",
            "authserv_id",
            "trusted",
            "cc_become",
            "is_active",
        )

    def clean_imap_password(self) -> str:
        typed = str(self.cleaned_data.get("imap_password") or "")
        return typed or (self.instance.imap_password if self.instance.pk else "")

    def clean_from_address(self) -> str:
        typed = str(self.cleaned_data.get("from_address") or "").strip()
        name, address = parseaddr(typed)
        if typed and not _valid_address(address):
            raise forms.ValidationError(
                _("Write an address, or a name and an address: IT Desk <it@example.org>.")
            )
        return formataddr((name, address)) if typed else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("forget_imap_password"):
            cleaned["imap_password"] = ""
        if cleaned.get("oauth_application") and not cleaned.get("imap_user"):
            self.add_error(
                "imap_user", _("Give the mailbox's account: OAuth 2.0 signs in as this user.")
            )
        return cleaned


def _valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except forms.ValidationError:
        return False
    return True


@admin.register(Mailbox)
class MailboxAdmin(ConsentViews, admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "address", "imap_host", "is_active", "last_fetched_at", "last_error")
    change_form_template = "admin/mail/mailbox/change_form.html"


class OAuthApplicationForm(forms.ModelForm[OAuthApplication]):
    # Write-only, like the mailbox password.
    client_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted and never shown again. Leave blank to keep the current one.",
    )
    authorization_url = forms.URLField(
        label="Authorization URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Empty: the provider's.",
    )
    token_url = forms.URLField(
        label="Token URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Empty: the provider's.",
    )

    class Meta:
        model = OAuthApplication
        fields = (
            "name",
            "provider",
            "client_id",
            "client_secret",
            "tenant",
            "authorization_url",
            "token_url",
            "scopes",
        )

    def clean_client_secret(self) -> str:
        typed = str(self.cleaned_data.get("client_secret") or "")
        return typed or (self.instance.client_secret if self.instance.pk else "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("provider") == OAuthProvider.OTHER:
            for name in ("authorization_url", "token_url"):
                if not cleaned.get(name):
                    self.add_error(name, _("Give this provider's address."))
        return cleaned


@admin.register(OAuthApplication)
class OAuthApplicationAdmin(admin.ModelAdmin):
    form = OAuthApplicationForm
    list_display = ("name", "provider", "client_id")


@admin.register(MailboxOAuthToken)
class MailboxOAuthTokenAdmin(admin.ModelAdmin):
    """Read-only: connections are made by Connect on a mailbox; deleting one disconnects."""

    list_display = ("mailbox", "account", "connected_at", "connected_by", "access_expires_at")
    fields = ("mailbox", "account", "connected_at", "connected_by", "refreshed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_address", "subject", "state", "reason", "ticket")
    list_filter = ("state", "held_because", "mailbox")
    search_fields = ("from_address", "subject", "message_id")
    actions = ["process_again", "release", "discard"]
    # Kept as it arrived: the raw bytes are evidence, never edited (but may be downloaded).
    readonly_fields = [f.name for f in InboundMessage._meta.fields if f.name != "raw"] + [
        "original"
    ]
    exclude = ("raw",)

    @admin.display(description="Original message")
    def original(self, row: InboundMessage) -> SafeString:
        url = reverse("admin:mail_inboundmessage_original", args=[row.pk])
        return format_html('<a href="{}">{}</a>', url, "Download (.eml)")

    def get_urls(self) -> list[URLPattern]:
        download = self.admin_site.admin_view(self.original_download)
        mine = [path("<int:pk>/original.eml", download, name="mail_inboundmessage_original")]
        return mine + super().get_urls()

    def original_download(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The bytes as they arrived, for whoever may view the mail log: always a download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = InboundMessage.objects.filter(pk=pk).first()
        if row is None:
            raise Http404
        response = HttpResponse(bytes(row.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="mail-{row.pk}.eml"'
        return response

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        return super().get_queryset(request).defer("raw").select_related("ticket")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Process again (failed or quarantined)")
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        count = reprocess(list(queryset))
        self.message_user(request, f"{count} message(s) processed again.", messages.SUCCESS)

    def _review(self, request: HttpRequest, rows: QuerySet[InboundMessage], decide: Any) -> None:
        actor = request.user
        assert isinstance(actor, Person)
        done = 0
        for row in rows:
            try:
                decide(row, actor=actor)
                done += 1
            except ReviewRefusedError as refused:
                self.message_user(request, f"{row}: {refused.message}", messages.WARNING)
        self.message_user(request, f"{done} message(s) done.", messages.SUCCESS)

    @admin.action(description="Release held mail (post it as it came)")
    def release(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        self._review(request, queryset, held_release)

    @admin.action(description="Discard held mail")
    def discard(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        self._review(request, queryset, held_discard)


@admin.register(InboundReview)
class InboundReviewAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "message", "note")
    list_filter = ("action",)
