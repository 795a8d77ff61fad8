"""The queue order carries the ticket's agency, group and assignee, which the access policy
asks of staff, at the end of its indexes' keys: a scoped agent's walk of a queue checks them in
the index, without a look-up of each ticket."""

from django.db import migrations, models

from servicedesk.tickets.queue_order import (
    FIRST_COPIED,
    queue_order_install,
    queue_order_installer,
)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0019_queue_order_beside_the_ticket"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="queueorder",
            name="queue_open_due",
        ),
        migrations.RemoveIndex(
            model_name="queueorder",
            name="queue_waiting_due",
        ),
        migrations.AddField(
            model_name="queueorder",
            name="agency_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="queueorder",
            name="assignee_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="queueorder",
            name="assignment_group_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        # The triggers copy the access policy's keys too, and fill them in the rows there are.
        migrations.RunPython(queue_order_install, queue_order_installer(FIRST_COPIED)),
        migrations.AddIndex(
            model_name="queueorder",
            index=models.Index(
                condition=models.Q(
                    (
                        "state__in",
                        ["assigned", "awaiting_customer", "awaiting_vendor", "in_progress", "new"],
                    )
                ),
                fields=[
                    "resolution_due_at",
                    "priority",
                    "created_at",
                    "ticket",
                    "agency_id",
                    "assignment_group_id",
                    "assignee_id",
                ],
                name="queue_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="queueorder",
            index=models.Index(
                condition=models.Q(("state__in", ["awaiting_customer", "awaiting_vendor"])),
                fields=[
                    "resolution_due_at",
                    "priority",
                    "created_at",
                    "ticket",
                    "agency_id",
                    "assignment_group_id",
                    "assignee_id",
                ],
                name="queue_waiting_due",
            ),
        ),
    ]
