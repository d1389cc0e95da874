# Supplier payments speak the POS's words (`bank_transfer` is now `transfer`), and the balance check that compared
# a difference of decimals in SQL is dropped: SQLite computes it in binary floating point (0.3 - 0.1 != 0.2 there),
# so it refused exact balances. The services keep remaining = total - paid in Decimal (`apply_balance`).

from django.db import migrations, models

RENAMED = {"bank_transfer": "transfer"}


def _rename(apps, renames):
    payment = apps.get_model("suppliers", "SupplierPayment")
    for old, new in renames.items():
        payment.objects.filter(method=old).update(method=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    # `cheque` was already a supplier word; `transfer` goes back to the old word.
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0002_invoice_files"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="supplierinvoice",
            name="supplier_invoice_balance_adds_up",
        ),
        migrations.AlterField(
            model_name="supplierpayment",
            name="method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("cash", "Cash"),
                    ("card", "Card"),
                    ("transfer", "Transfer"),
                    ("cheque", "Cheque"),
                    ("other", "Other"),
                ],
                max_length=20,
                null=True,
                verbose_name="method",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
