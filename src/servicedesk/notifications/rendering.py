"""Mail text from the admin-editable templates, in the recipient's time zone.

The text part renders without autoescaping (it is plain text); the HTML part renders the same
template with autoescaping, keeps its line breaks, and is sanitised by nh3, because the template
itself is written by an admin and must not smuggle script into people's mail readers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.html import linebreaks

from servicedesk.core.editions import cached
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.defaults import DEFAULT_TEMPLATES, DefaultTemplate
from servicedesk.notifications.message_ids import REPLY_MARKER, subject_tag
from servicedesk.notifications.models import MailTemplate
from servicedesk.tickets.models import Comment, Ticket

logger = logging.getLogger(__name__)
SUBJECT_MAX = 300


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class Plain(dict[str, object]):
    """Allowed values of one object; prints as its name, as the object itself would."""

    def __str__(self) -> str:
        return str(self.get("name", ""))


def plain_person(person: Person | None) -> Plain | None:
    if person is None:
        return None
    return Plain(
        name=str(person),
        first_name=person.first_name,
        last_name=person.last_name,
        username=person.username,
    )


def plain_ticket(ticket: Ticket | None) -> Plain | None:
    if ticket is None:
        return None
    return Plain(
        name=ticket.number,
        number=ticket.number,
        short_description=ticket.short_description,
        kind=ticket.kind,
        get_kind_display=str(ticket.get_kind_display()),
        state=ticket.state,
        get_state_display=str(ticket.get_state_display()),
        priority=ticket.priority,
        get_priority_display=str(ticket.get_priority_display()) if ticket.priority else "",
        # Called by the template only if it names it: no query for mail that doesn't.
        requester=lambda: plain_person(ticket.requester),
    )


def plain_comment(comment: Comment) -> Plain:
    return Plain(name=comment.body, body=comment.body, author=lambda: plain_person(comment.author))


_SCALARS = (str, int, float, bool, datetime, date)


def _plain(value: object) -> object:
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, Ticket):
        return plain_ticket(value)
    if isinstance(value, Person):
        return plain_person(value)
    if isinstance(value, Comment):
        return plain_comment(value)
    return None  # anything else is not for a template an admin can edit


def plain_context(
    context: Mapping[str, object], recipient: Person, ticket: Ticket | None
) -> dict[str, object]:
    """What a mail template may use: the documented names, each a plain value."""
    plain = {name: _plain(value) for name, value in context.items()}
    return {**plain, "recipient": plain_person(recipient), "ticket": plain_ticket(ticket)}


def zone_of(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def template_for(kind: str) -> DefaultTemplate:
    """The admin's version of this kind's template, else ours; unknown kinds use `general`."""
    if kind not in NotificationKind.values:
        kind = NotificationKind.GENERAL
    edited = cached("notifications.mail_templates", _edited_templates)
    return edited.get(kind) or DEFAULT_TEMPLATES[kind]


def _edited_templates() -> dict[str, DefaultTemplate]:
    """The admin's versions, by kind (a dozen rows at most)."""
    return {
        row.kind: DefaultTemplate(row.subject_template, row.text_template)
        for row in MailTemplate.objects.all()
    }


@lru_cache(maxsize=128)
def _compiled(source: str) -> Template:
    # Keyed by the source text itself, so an admin's edit is a new key, never a stale hit.
    return Template(source)


def _render(source: str, context: Mapping[str, object], *, autoescape: bool) -> str:
    return _compiled(source).render(Context(dict(context), autoescape=autoescape))


def render_mail(
    kind: str, context: Mapping[str, object], recipient: Person, ticket: Ticket | None
) -> RenderedMail:
    template = template_for(kind)
    try:
        return _render_with(template, context, recipient, ticket)
    except TemplateSyntaxError:
        # An admin's broken edit must not stop the ticket change that triggered the mail.
        logger.exception("Mail template %s does not compile; using the shipped one", kind)
        fallback = DEFAULT_TEMPLATES.get(kind, DEFAULT_TEMPLATES[NotificationKind.GENERAL])
        return _render_with(fallback, context, recipient, ticket)


def _render_with(
    template: DefaultTemplate,
    context: Mapping[str, object],
    recipient: Person,
    ticket: Ticket | None,
) -> RenderedMail:
    full = plain_context(context, recipient, ticket)
    with timezone.override(zone_of(recipient)):
        subject = _render(template.subject, full, autoescape=False)
        text = _render(template.text, full, autoescape=False).strip()
        escaped = _render(template.text, full, autoescape=True).strip()
    # One line: a newline in a subject would be a header injection.
    subject = " ".join(subject.split())
    if ticket is not None:
        tag = subject_tag(ticket)
        if tag not in subject:
            subject = f"{tag} {subject}"
        text = f"{REPLY_MARKER}\n\n{text}"
        escaped = f"{REPLY_MARKER}\n\n{escaped}"
    html = nh3.clean(linebreaks(escaped, autoescape=False), link_rel="noopener noreferrer")
    return RenderedMail(subject=subject[:SUBJECT_MAX], text=text, html=html)
