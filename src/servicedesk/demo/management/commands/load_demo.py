from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from servicedesk.demo.organisation import load_organisation
from servicedesk.demo.tickets import load_tickets


class Command(BaseCommand):
    help = "Load the demo organisation and its tickets. Safe to run again: nothing is duplicated."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            org = load_organisation()
            made = load_tickets(org.people, org.groups, org.services, org.request_types)
        if options["verbosity"] == 0:
            return
        if made:
            self.stdout.write(f"Demo organisation loaded with {made} tickets.")
        else:
            self.stdout.write("Demo organisation is up to date (tickets already present).")
