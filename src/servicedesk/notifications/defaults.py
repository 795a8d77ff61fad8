"""The mail templates we ship: seeded into `MailTemplate` by a data migration, and used as they
are when a kind has no row (say, in a freshly flushed test database) so mail never fails for want
of a template. Admins change the rows, never this file.

Context of every template: `recipient`, `ticket` (may be None for `general`), `ticket_url`,
`title`, `body`, `note`, `state_label`, `previous_state_label`, `comment`, `dispute_url`,
`dispute_deadline`, `dispute_days`, `duplicate`, `base_url`. Dates show in the recipient's zone.
Plain values only (see `rendering.plain_context`): a person has `first_name`, `last_name`,
`username` (and prints as their name); a ticket `number`, `short_description`, `kind`,
`get_kind_display`, `state`, `get_state_display`, `priority`, `get_priority_display`,
`requester`; a comment `body` and `author`.
"""

from __future__ import annotations

from typing import NamedTuple

from servicedesk.notifications.choices import NotificationKind as K


class DefaultTemplate(NamedTuple):
    subject: str
    text: str


_GREETING = "Hello {{ recipient.first_name|default:recipient.username }},\n\n"
_SIGN_OFF = "\n\n— The Service Desk"

DEFAULT_TEMPLATES: dict[str, DefaultTemplate] = {
    K.ACKNOWLEDGEMENT: DefaultTemplate(
        "[{{ ticket.number }}] We received your request: {{ ticket.short_description }}",
        _GREETING + "We received your {{ ticket.get_kind_display|lower }} and gave it the number "
        "{{ ticket.number }}. Please quote this number if you call us; to add anything, simply "
        "reply to this e-mail.\n\n"
        "  {{ ticket.short_description }}\n\n"
        "You will hear from us every time its status changes. You can also follow it here:\n"
        "{{ ticket_url }}" + _SIGN_OFF,
    ),
    K.STATUS: DefaultTemplate(
        "[{{ ticket.number }}] Now {{ state_label|lower }}: {{ ticket.short_description }}",
        _GREETING + "{{ ticket.number }} ({{ ticket.short_description }}) is now "
        "{{ state_label|lower }}{% if previous_state_label %} (it was "
        "{{ previous_state_label|lower }}){% endif %}.{% if note %}\n\n"
        "Note from the service desk:\n{{ note }}{% endif %}\n\n"
        "Follow it here: {{ ticket_url }}" + _SIGN_OFF,
    ),
    K.RESOLUTION: DefaultTemplate(
        "[{{ ticket.number }}] Resolved: {{ ticket.short_description }}",
        _GREETING + "We have resolved {{ ticket.number }} ({{ ticket.short_description }})."
        "{% if note %}\n\nResolution:\n{{ note }}{% endif %}\n\n"
        "Not fixed? You can dispute this resolution until "
        '{{ dispute_deadline|date:"l, F j, Y, H:i T" }} ({{ dispute_days }} days): reply to this '
        "e-mail saying what is still wrong, or use this link:\n{{ dispute_url }}\n\n"
        "After that the ticket closes by itself." + _SIGN_OFF,
    ),
    K.REPLY: DefaultTemplate(
        "[{{ ticket.number }}] New reply: {{ ticket.short_description }}",
        _GREETING + "{{ comment.author }} replied on {{ ticket.number }}:\n\n"
        "{{ comment.body }}\n\n"
        "Reply to this e-mail to answer, or open {{ ticket_url }}" + _SIGN_OFF,
    ),
    K.ASSIGNMENT: DefaultTemplate(
        "[{{ ticket.number }}] Assigned to you: {{ ticket.short_description }}",
        _GREETING + "{{ ticket.number }} ({{ ticket.get_priority_display|default:'no priority' }})"
        " is now assigned to you.\n\n{{ ticket_url }}" + _SIGN_OFF,
    ),
    K.DUPLICATE: DefaultTemplate(
        "[{{ ticket.number }}] Same issue reported in {{ duplicate.number }}",
        _GREETING + "{{ duplicate.number }} ({{ duplicate.short_description }}) was marked a "
        "duplicate of {{ ticket.number }}, which is assigned to you. Its requester, "
        "{{ duplicate.requester }}, now follows {{ ticket.number }} as an affected person; "
        "please check whether the cases are related.\n\n{{ ticket_url }}" + _SIGN_OFF,
    ),
    K.SLA_WARNING: DefaultTemplate(
        "[{{ ticket.number }}] SLA warning: {{ note }}",
        _GREETING + "{{ ticket.number }} ({{ ticket.short_description }}): {{ note }}.\n\n"
        "{{ ticket_url }}" + _SIGN_OFF,
    ),
    K.SLA_BREACH: DefaultTemplate(
        "[{{ ticket.number }}] SLA breached: {{ ticket.short_description }}",
        _GREETING + "{{ ticket.number }} ({{ ticket.short_description }}) {{ note }}.\n\n"
        "{{ ticket_url }}" + _SIGN_OFF,
    ),
    K.URGENT: DefaultTemplate(
        "[{{ ticket.number }}] URGENT from {{ comment.author }}: {{ ticket.short_description }}",
        _GREETING + "{{ comment.author }} flagged {{ ticket.number }} "
        "({{ ticket.short_description }}) as urgent{% if not ticket.assignee %}; it is not "
        "assigned to anyone yet, so your group is told{% endif %}. Their message:\n\n"
        "{{ comment.body }}\n\n"
        "Please look at it now: {{ ticket_url }}" + _SIGN_OFF,
    ),
    K.GENERAL: DefaultTemplate(
        "{% if ticket %}[{{ ticket.number }}] {% endif %}{{ title }}",
        _GREETING + "{{ body }}{% if ticket_url %}\n\n{{ ticket_url }}{% endif %}" + _SIGN_OFF,
    ),
}
