# The one payment-method vocabulary (workspaces.payment_methods): `cheque` added to the POS's words.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pos", "0002_change_due_label"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pospayment",
            name="method",
            field=models.CharField(
                choices=[
                    ("cash", "Cash"),
                    ("card", "Card"),
                    ("transfer", "Transfer"),
                    ("cheque", "Cheque"),
                    ("other", "Other"),
                ],
                max_length=10,
                verbose_name="method",
            ),
        ),
    ]
