# Written by hand: an index only, for tickets.access's scoping condition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_planned_date_and_follow_up"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["state", "agency", "assignment_group", "assignee"],
                name="ticket_state_scope",
            ),
        ),
    ]
