"""The demo's mail and monitoring set-up, so both work right after `make run`.

- A desk mailbox, `servicedesk@localhost`, with no IMAP server: `servicedesk serve --smtp-port`
  (which `make run` passes) receives mail for it over SMTP on loopback. New tickets from it go
  to the L1 desk.
- Monitored resources: host names a monitoring tool reports, mapped to the services their
  incidents belong to (the first matching pattern wins).
"""

from __future__ import annotations

from servicedesk.api.models import MonitoredResource
from servicedesk.catalog.models import Service
from servicedesk.directory.models import SupportGroup
from servicedesk.mail.models import Mailbox

DEMO_MAILBOX_ADDRESS = "servicedesk@localhost"

# (position, host name pattern, service key in the demo organisation)
MONITORED_RESOURCES = [
    (10, "core-sw-*", "network"),
    (20, "*-fw-*", "network"),
    (30, "vpn-*", "network"),
    (40, "mail-*", "email"),
    (50, "print-*", "printing"),
    (60, "dl-app-*", "licensing"),
    (70, "idp-*", "identity"),
]


def load_mail_and_monitoring(groups: dict[str, SupportGroup], services: dict[str, Service]) -> None:
    """Idempotent: run again, it updates the same rows."""
    Mailbox.objects.update_or_create(
        address=DEMO_MAILBOX_ADDRESS,
        defaults={
            "name": "OMES Service Desk (demo)",
            "imap_host": "",
            "assignment_group": groups["desk"],
            "is_active": True,
        },
    )
    for position, pattern, service in MONITORED_RESOURCES:
        MonitoredResource.objects.update_or_create(
            pattern=pattern, defaults={"service": services[service], "position": position}
        )
