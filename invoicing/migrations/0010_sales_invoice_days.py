# The day counts api2's list reads (`SalesInvoiceDay`), kept by PostgreSQL triggers on invoicing_invoice so that
# no writer can miss them: a statement's inserted rows are added and its deleted rows taken away per (workspace,
# date) from the statement's transition table (one upsert per statement, a bulk insert included), and a row whose
# date or workspace changes moves (a row trigger that fires only then). Each upsert takes the day rows in key
# order, so two transactions never wait on each other's days crosswise. The existing invoices are counted once
# here. Elsewhere than PostgreSQL nothing is created: the list counts its rows there.

import django.db.models.deletion
from django.db import migrations, models

DAYS = "invoicing_salesinvoiceday"
UPSERT = (
    f"INSERT INTO {DAYS} AS day (workspace_id, date, invoices) {{rows}} ORDER BY 1, 2 "
    "ON CONFLICT (workspace_id, date) DO UPDATE SET invoices = day.invoices + EXCLUDED.invoices"
)
TRIGGERS = f"""
CREATE FUNCTION invoicing_sales_days_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {UPSERT.format(rows="SELECT workspace_id, date, count(*) FROM added GROUP BY 1, 2")};
  RETURN NULL;
END $$;
CREATE FUNCTION invoicing_sales_days_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {UPSERT.format(rows="SELECT workspace_id, date, -count(*) FROM removed GROUP BY 1, 2")};
  RETURN NULL;
END $$;
CREATE FUNCTION invoicing_sales_days_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {UPSERT.format(rows="SELECT * FROM (VALUES (OLD.workspace_id, OLD.date, -1), (NEW.workspace_id, NEW.date, 1)) AS moved")};
  RETURN NULL;
END $$;
CREATE TRIGGER invoicing_sales_days_added AFTER INSERT ON invoicing_invoice
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION invoicing_sales_days_added();
CREATE TRIGGER invoicing_sales_days_removed AFTER DELETE ON invoicing_invoice
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION invoicing_sales_days_removed();
CREATE TRIGGER invoicing_sales_days_moved AFTER UPDATE OF date, workspace_id ON invoicing_invoice FOR EACH ROW
  WHEN (OLD.date IS DISTINCT FROM NEW.date OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id)
  EXECUTE FUNCTION invoicing_sales_days_moved();
{UPSERT.format(rows="SELECT workspace_id, date, count(*) FROM invoicing_invoice GROUP BY 1, 2")};
"""
UNDO = """
DROP TRIGGER IF EXISTS invoicing_sales_days_added ON invoicing_invoice;
DROP TRIGGER IF EXISTS invoicing_sales_days_removed ON invoicing_invoice;
DROP TRIGGER IF EXISTS invoicing_sales_days_moved ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_sales_days_added();
DROP FUNCTION IF EXISTS invoicing_sales_days_removed();
DROP FUNCTION IF EXISTS invoicing_sales_days_moved();
"""


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO)


class Migration(migrations.Migration):

    dependencies = [
        ('invoicing', '0009_product_deleted_at'),
        ('workspaces', '0008_task'),
    ]

    operations = [
        migrations.CreateModel(
            name='SalesInvoiceDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('invoices', models.IntegerField(default=0, verbose_name='invoices')),
                ('workspace', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='workspaces.workspace')),
            ],
            options={
                'verbose_name': 'sales invoices of a day',
                'verbose_name_plural': 'sales invoices per day',
                'constraints': [models.UniqueConstraint(fields=('workspace', 'date'), name='sales_invoice_day_unique')],
            },
        ),
        migrations.RunPython(triggers, drop_triggers, elidable=False),
    ]
