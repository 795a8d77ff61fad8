"""Seed the shipped mail templates so admins find them to edit. Rows that exist are left alone."""

from django.db import migrations


def seed(apps, schema_editor):
    # The shipped text lives in code because rendering also falls back to it when a row is
    # missing; this migration only ever adds rows, so later edits to the text never rewrite
    # what an admin changed.
    from servicedesk.notifications.defaults import DEFAULT_TEMPLATES

    MailTemplate = apps.get_model("notifications", "MailTemplate")
    for kind, template in DEFAULT_TEMPLATES.items():
        MailTemplate.objects.get_or_create(
            kind=str(kind),
            defaults={"subject_template": template.subject, "text_template": template.text},
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
