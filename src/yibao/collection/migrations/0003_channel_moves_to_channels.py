"""The payment channel now belongs to ``yibao.channels`` (its ``0001``): payments and statements
point at ``channels.Channel``, the same table and rows, and this app forgets its own model. Only
Django's picture changes; no table or key is touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0002_refund_takes_no_transaction_id"),
        ("channels", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="payment", name="channel",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="payments", to="channels.channel", verbose_name="缴费渠道"),
                ),
                migrations.AlterField(
                    model_name="statement", name="channel",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="statements",
                                            to="channels.channel", verbose_name="缴费渠道"),
                ),
                migrations.DeleteModel(name="PaymentChannel"),
            ],
            database_operations=[],
        ),
    ]
