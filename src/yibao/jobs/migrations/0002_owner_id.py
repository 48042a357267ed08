"""Jobs point at no model above them: the owner is kept by id (the column stays ``owner_id``;
the foreign-key constraint is dropped)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="job", name="owner",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="jobs", to=settings.AUTH_USER_MODEL, verbose_name="发起人",
                                            db_constraint=False),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="job", name="owner"),
                migrations.AddField(model_name="job", name="owner_id",
                                    field=models.BigIntegerField(blank=True, db_index=True, null=True,
                                                                 verbose_name="发起人")),
            ],
        ),
    ]
