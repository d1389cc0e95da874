# The trigram index behind the admin's POS invoice search by a part of a number (issue 18): on PostgreSQL only, a
# GIN index (`pg_trgm`) on the very expression the search compares, `UPPER(public_id) LIKE UPPER('%…%')`. A full
# number (`POS-1234`) is found by its `(workspace, number)` key instead (`pos.admin_search.public_id_search`). Creating the
# extension needs a role allowed to: on a managed PostgreSQL, create it beforehand (`CREATE EXTENSION pg_trgm`), and
# on a large table create the index beforehand with CREATE INDEX CONCURRENTLY under the same name (IF NOT EXISTS
# keeps this migration a no-op then).

from django.db import migrations

TRIGRAM_INDEXES = {
    "pos_invoice_public_id_trgm": "pos_posinvoice USING gin (UPPER(public_id) gin_trgm_ops)",
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
        ("pos", "0007_list_indexes"),
    ]

    operations = [
        migrations.RunPython(trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
