# The indexes behind the supplier invoice lists at a million rows (issue 18): the date indexes end with the id (a
# range's ids read index-only bound the list's walk of the primary key), the open invoices (aging, overdue) on
# every database, and on PostgreSQL only the trigram indexes behind `q` (`pg_trgm`, GIN), one per column the
# selector searches, on the very expression it compares: the normalised number (`LIKE '%…%'`), UPPER(description)
# and UPPER(supplier name) (`icontains`). Creating the extension needs a role allowed to: on a managed PostgreSQL,
# create it beforehand (`CREATE EXTENSION pg_trgm`), and on a large table create the indexes beforehand with
# CREATE INDEX CONCURRENTLY under the same names (IF NOT EXISTS keeps this migration a no-op then).

from django.db import migrations, models

TRIGRAM_INDEXES = {
    "supplier_invoice_number_trgm": "suppliers_supplierinvoice USING gin (invoice_number_normalised gin_trgm_ops)",
    "supplier_invoice_desc_trgm": "suppliers_supplierinvoice USING gin (UPPER(description) gin_trgm_ops)",
    "supplier_name_trgm": "suppliers_supplier USING gin (UPPER(name) gin_trgm_ops)",
}


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0003_payment_methods_and_exact_balance"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="supplierinvoice", name="supplier_invoice_issue_idx"),
        migrations.AddIndex(
            model_name="supplierinvoice",
            index=models.Index(fields=["workspace", "issue_date", "id"], name="supplier_invoice_issue_idx"),
        ),
        migrations.RemoveIndex(model_name="supplierinvoice", name="supplier_invoice_due_idx"),
        migrations.AddIndex(
            model_name="supplierinvoice",
            index=models.Index(fields=["workspace", "due_date", "id"], name="supplier_invoice_due_idx"),
        ),
        migrations.AddIndex(
            model_name="supplierinvoice",
            index=models.Index(
                condition=models.Q(("remaining_amount__gt", 0)),
                fields=["workspace", "due_date", "supplier", "remaining_amount", "issue_date", "id"],
                name="supplier_invoice_open_idx",
            ),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
