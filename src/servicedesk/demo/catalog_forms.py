"""The demo catalog's request forms: what each request type asks, as an admin would set it up."""

from __future__ import annotations

from servicedesk.catalog.choices import FieldKind
from servicedesk.catalog.models import RequestType, RequestTypeField
from servicedesk.directory.models import SupportGroup

# slug → (description, keywords, group key, questions). A question: key, label, kind, required,
# help, options, (shown-when key, value).
Question = tuple[str, str, FieldKind, bool, str, str, tuple[str, str] | None]
FORMS: dict[str, tuple[str, str, str, list[Question]]] = {
    "password-reset": (
        "Locked out, or a password expired? The desk resets it within 20 minutes.",
        "login locked account expired forgot sign in",
        "identity",
        [
            (
                "system",
                "Which account?",
                FieldKind.CHOICE,
                True,
                "",
                "Windows / network sign-in\nE-mail\nPayroll (PeopleSoft)\nOther",
                None,
            ),
            (
                "other_system",
                "Which other system?",
                FieldKind.TEXT,
                True,
                "",
                "",
                ("system", "Other"),
            ),
            (
                "for_whom",
                "Whose password?",
                FieldKind.PERSON,
                False,
                "Leave empty if it is your own.",
                "",
                None,
            ),
            (
                "callback",
                "Can the desk call you at your desk?",
                FieldKind.YES_NO,
                True,
                "The new temporary password is given by phone only.",
                "",
                None,
            ),
        ],
    ),
    "access": (
        "Access to a shared drive, a mailbox or an application.",
        "permission shared drive folder mailbox group",
        "identity",
        [
            (
                "resource",
                "What do you need access to?",
                FieldKind.TEXT,
                True,
                r"e.g. \\fs01\finance or the HR mailbox",
                "",
                None,
            ),
            (
                "level",
                "Access level",
                FieldKind.CHOICE,
                True,
                "",
                "Read only\nRead and write",
                None,
            ),
            (
                "approver",
                "Who approves it?",
                FieldKind.PERSON,
                True,
                "Usually your supervisor.",
                "",
                None,
            ),
            (
                "until",
                "Needed until (optional)",
                FieldKind.DATE,
                False,
                "Leave empty for permanent access.",
                "",
                None,
            ),
        ],
    ),
    "software": (
        "Install or license a program.",
        "install application license program",
        "desktop",
        [
            ("title", "Which software?", FieldKind.TEXT, True, "Name and version", "", None),
            (
                "platforms",
                "On which devices?",
                FieldKind.MULTIPLE_CHOICE,
                True,
                "",
                "Desktop\nLaptop\nVirtual desktop",
                None,
            ),
            ("reason", "What is it for?", FieldKind.LONG_TEXT, False, "", "", None),
        ],
    ),
    "hardware": (
        "A new or replacement monitor, keyboard, docking station, phone.",
        "monitor keyboard mouse dock headset phone",
        "desktop",
        [
            (
                "item",
                "What do you need?",
                FieldKind.CHOICE,
                True,
                "",
                "Monitor\nKeyboard and mouse\nDocking station\nHeadset\nOther",
                None,
            ),
            ("needed_by", "Needed by", FieldKind.DATE, False, "", "", None),
        ],
    ),
}


def load_request_forms(kinds: dict[str, RequestType], groups: dict[str, SupportGroup]) -> None:
    """Idempotent: questions are matched by key, so running the demo again changes nothing."""
    for slug, (description, keywords, group, questions) in FORMS.items():
        request_type = kinds[slug]
        request_type.description = description
        request_type.keywords = keywords
        request_type.default_group = groups[group]
        request_type.save()
        made: dict[str, RequestTypeField] = {}
        for position, (key, label, kind, required, help_text, options, shown) in enumerate(
            questions, start=1
        ):
            made[key], _ = RequestTypeField.objects.update_or_create(
                request_type=request_type,
                key=key,
                defaults={
                    "position": position,
                    "label": label,
                    "kind": kind,
                    "required": required,
                    "help_text": help_text,
                    "options": options,
                    "shown_when": made[shown[0]] if shown else None,
                    "shown_when_value": shown[1] if shown else "",
                },
            )
