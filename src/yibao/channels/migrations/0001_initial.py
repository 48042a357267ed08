"""The payment channel moves from the resident collection to this app with its table and rows:
only Django's picture of the models changes here (the table ``collection_paymentchannel`` stays,
so the foreign keys of collection's payments and statements keep pointing at the same rows).
Collection's ``0003`` drops the model from its own picture after this."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("regions", "0001_initial"),
        ("collection", "0002_refund_takes_no_transaction_id"),  # made the table this model now owns
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Channel",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=50, verbose_name="渠道名称")),
                        ("token_digest", models.CharField(max_length=64, unique=True, verbose_name="令牌摘要")),
                        ("token_hint", models.CharField(max_length=12, verbose_name="令牌前缀")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("created_by_id", models.IntegerField(blank=True, null=True, verbose_name="创建人")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="吊销时间")),
                        ("revoked_by_id", models.IntegerField(blank=True, null=True, verbose_name="吊销人")),
                        ("region", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                     to="regions.division", verbose_name="统筹区")),
                    ],
                    options={"verbose_name": "缴费渠道", "ordering": ["region_id", "name", "id"],
                             "db_table": "collection_paymentchannel"},
                ),
            ],
            database_operations=[],
        ),
    ]
