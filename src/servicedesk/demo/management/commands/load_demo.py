from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from servicedesk.demo.canned import load_canned_responses
from servicedesk.demo.knowledge import load_knowledge
from servicedesk.demo.major_incidents import load_major_incident_setup
from servicedesk.demo.operations import load_mail_and_monitoring
from servicedesk.demo.organisation import load_organisation
from servicedesk.demo.reporting import spread_demo_history
from servicedesk.demo.status import load_status
from servicedesk.demo.tickets import load_tickets


class Command(BaseCommand):
    help = "Load the demo organisation and its tickets. Safe to run again: nothing is duplicated."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            org = load_organisation()
            made = load_tickets(org.people, org.groups, org.services, org.request_types)
            if made:
                spread_demo_history()
            load_knowledge(org.people, org.services, org.categories)
            load_status(org.people, org.groups, org.services)
            load_canned_responses(org.people, org.groups)
            load_mail_and_monitoring(org.groups, org.services)
            load_major_incident_setup(org.people, org.groups, org.services)
        if options["verbosity"] == 0:
            return
        if made:
            self.stdout.write(f"Demo organisation loaded with {made} tickets.")
        else:
            self.stdout.write("Demo organisation is up to date (tickets already present).")
