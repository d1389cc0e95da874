# The indexes behind the admin's order and order invoice lists at a million rows (issue 18), read newest first
# along (workspace, created_at, id) (`ordering` in orders.admin): page 1, a month or day of the date hierarchy and the
# status filter (workspace, status, created_at, id) each counted and paged along their own index, and on PostgreSQL
# only the trigram index behind the order search by a line's name (`line_items__name`: `UPPER(name) LIKE
# UPPER('%…%')`, the very expression the search compares). Creating the extension needs a role allowed to: on a
# managed PostgreSQL, create it beforehand (`CREATE EXTENSION pg_trgm`), and on a large table create the indexes
# beforehand with CREATE INDEX CONCURRENTLY under the same names (IF NOT EXISTS keeps this migration a no-op then).

from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "order_line_name_trgm": "orders_orderlineitem USING gin (UPPER(name) gin_trgm_ops)",
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
        ('orders', '0002_store'),
        ('workspaces', '0008_task'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['workspace', 'status', 'created_at', 'id'], name='order_status_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['workspace', 'created_at', 'id'], name='order_created_id_idx'),
        ),
        migrations.AddIndex(
            model_name='orderinvoice',
            index=models.Index(fields=['workspace', 'created_at', 'id'], name='order_invoice_created_id_idx'),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
