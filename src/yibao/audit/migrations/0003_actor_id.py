"""The audit log points at no model above it: the actor is kept by id beside the name and role
recorded with each entry. The column (``actor_id``) and its index stay as they are; only the
model's view of it changes, so no row is touched."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="auditentry", name="actor"),
                migrations.AddField(model_name="auditentry", name="actor_id",
                                    field=models.BigIntegerField(blank=True, db_index=True, null=True,
                                                                 verbose_name="操作人编号")),
            ],
        ),
    ]
