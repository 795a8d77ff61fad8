from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from servicedesk.demo import organisation
from servicedesk.demo.tickets import load_tickets


class Command(BaseCommand):
    help = "Load the demo organisation and its tickets. Safe to run again: nothing is duplicated."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            cals = organisation.calendars()
            locations = organisation.agencies(cals["business"])
            people = organisation.people(locations)
            support = organisation.groups(people)
            catalog = organisation.services(support)
            chart = organisation.categories()
            kinds = organisation.request_types(chart)
            organisation.help_desks()
            made = load_tickets(people, support, catalog, kinds)
        if made:
            self.stdout.write(f"Demo organisation loaded with {made} tickets.")
        else:
            self.stdout.write("Demo organisation is up to date (tickets already present).")
