"""Titles and names cannot be disguised with bidirectional controls or zero-width characters:
cleaned on input by every face, and cleaned where they were stored before."""

from __future__ import annotations

import importlib

from django.apps import apps

from servicedesk.api.tests.conftest import api_as as api_as  # the fixture
from servicedesk.conftest import Org
from servicedesk.core.text import without_invisible_controls
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_update

RLO, PDI, ZWSP, ZWJ, BOM = "\u202e", "\u2069", "\u200b", "\u200d", "\ufeff"
SPOOFED = f"Invoice {RLO}fdp.exe{PDI} pay{ZWSP}roll{BOM}"


def test_every_control_and_zero_width_character_goes() -> None:
    assert without_invisible_controls(SPOOFED) == "Invoice fdp.exe payroll"
    assert without_invisible_controls(f"a{ZWJ}b\u200e\u200f\u061c\u2066c") == "abc"
    assert without_invisible_controls("Zoë Ñandú 東京 مرحبا") == "Zoë Ñandú 東京 مرحبا"


def test_a_title_is_cleaned_whichever_face_files_or_edits_it(org: Org, api_as) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=SPOOFED)
    assert ticket.short_description == "Invoice fdp.exe payroll"
    ticket = ticket_update(
        ticket, actor=org.employee, version=None, changes={"short_description": f"VPN{RLO}"}
    )
    ticket.refresh_from_db()
    assert ticket.short_description == "VPN"
    filed = api_as(org.employee).post(
        "/tickets", {"kind": "incident", "short_description": SPOOFED}
    )
    assert filed.json()["short_description"] == "Invoice fdp.exe payroll"


def test_a_name_is_cleaned(org: Org) -> None:
    person = Person.objects.create(username="mallory", first_name=f"Adm{ZWSP}in", last_name=RLO)
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Admin", "")


def test_what_was_stored_before_is_cleaned_by_the_migrations(org: Org) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    Ticket.objects.filter(pk=ticket.pk).update(short_description=SPOOFED)
    Person.objects.filter(pk=org.colleague.pk).update(first_name=f"Col{RLO}league")
    tickets = importlib.import_module(
        "servicedesk.tickets.migrations.0007_titles_without_invisible_controls"
    )
    directory = importlib.import_module(
        "servicedesk.directory.migrations.0003_names_without_invisible_controls"
    )
    tickets.clean_titles(apps, None)
    directory.clean_names(apps, None)
    assert Ticket.objects.get(pk=ticket.pk).short_description == "Invoice fdp.exe payroll"
    assert Person.objects.get(pk=org.colleague.pk).first_name == "Colleague"
