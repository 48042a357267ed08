"""The unit operator's link to its unit moves from accounts.User.unit to employer.UnitOperator,
so that accounts know no domain model. Existing links are copied before accounts drops the
column (accounts 0003 runs after this migration)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_links(apps, schema_editor):
    UnitOperator = apps.get_model("employer", "UnitOperator")
    User = apps.get_model("accounts", "User")
    if "unit" not in {f.name for f in User._meta.get_fields()}:
        return
    UnitOperator.objects.bulk_create([
        UnitOperator(user_id=user_id, unit_id=unit_id)
        for user_id, unit_id in User.objects.filter(unit__isnull=False).values_list("pk", "unit_id")
    ])


class Migration(migrations.Migration):

    dependencies = [
        ("employer", "0003_declaration_queue_order"),
        ("accounts", "0002_initial"),
    ]
    run_before = [("accounts", "0003_unit_link_to_employer")]

    operations = [
        migrations.CreateModel(
            name="UnitOperator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="operators",
                                           to="employer.unit", verbose_name="参保单位")),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="unit_link",
                                              to=settings.AUTH_USER_MODEL, verbose_name="账号")),
            ],
            options={"verbose_name": "参保单位经办人"},
        ),
        migrations.RunPython(copy_links, migrations.RunPython.noop),
    ]
