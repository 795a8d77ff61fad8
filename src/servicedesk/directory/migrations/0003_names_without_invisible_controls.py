"""Clean names stored before they were cleaned on input (see `core.text`)."""

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


def clean_names(apps, schema_editor):
    Person = apps.get_model("directory", "Person")
    disguised = Q()
    for character in INVISIBLE:
        disguised |= Q(first_name__contains=character) | Q(last_name__contains=character)
    for person in Person.objects.filter(disguised).only("pk", "first_name", "last_name"):
        Person.objects.filter(pk=person.pk).update(
            first_name=clean(person.first_name), last_name=clean(person.last_name)
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_support_group_agencies")]
    operations = [migrations.RunPython(clean_names, migrations.RunPython.noop)]
