"""Clean titles stored before they were cleaned on input (see `core.text`)."""

from django.db import migrations
from django.db.models import Q

# The same characters as `core.text.INVISIBLE_CONTROLS`, written out: a migration keeps working
# whatever later becomes of the code it would import.
INVISIBLE = (
    ["\u061c", "\ufeff"]
    + [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2060, 0x2065)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def clean(text: str) -> str:
    for character in INVISIBLE:
        text = text.replace(character, "")
    return text


def clean_titles(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    disguised = Q()
    for character in INVISIBLE:
        disguised |= Q(short_description__contains=character)
    for ticket in Ticket.objects.filter(disguised).only("pk", "short_description").iterator():
        Ticket.objects.filter(pk=ticket.pk).update(
            short_description=clean(ticket.short_description)
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_search_index")]
    operations = [migrations.RunPython(clean_titles, migrations.RunPython.noop)]
