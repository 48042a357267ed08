"""accounts.User no longer points at a domain model: the unit link is employer.UnitOperator
(employer 0004 copies it first)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="user_scope_matches_role"),
        migrations.RemoveField(model_name="user", name="unit"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("role", "admin"), ("role", "unit_operator"),
                                   models.Q(("role", "individual"), models.Q(("id_number", ""), _negated=True)),
                                   models.Q(models.Q(("role__in", ["admin", "unit_operator", "individual"]),
                                                     _negated=True), ("division__isnull", False)),
                                   _connector="OR"),
                name="user_scope_matches_role"),
        ),
    ]
