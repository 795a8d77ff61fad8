"""Admin: mailboxes, and the inbound list where agents find quarantined and failed mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from servicedesk.directory.models import Person
from servicedesk.mail.ingest import reprocess
from servicedesk.mail.models import InboundMessage, InboundReview, Mailbox
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
            "imap_ssl",
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("forget_imap_password"):
            cleaned["imap_password"] = ""
        return cleaned


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "address", "imap_host", "is_active", "last_fetched_at", "last_error")


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
class InboundReviewAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "message", "note")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
