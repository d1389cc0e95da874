# Each POS line's answer kept written in its row (issue 18): on PostgreSQL only, a stored generated column `answer`
# on the items, discounts and payments holding the line's JSON text, byte for byte what `pos.api.json_rows`'s
# `LINE_ANSWERS` write (tests/pos/test_json_rows.py holds the two equal). PostgreSQL writes it whenever the row is
# written, whoever writes it; the POS list reads it instead of writing each line again. The models do not declare
# the column (SQLite, which renders its lists in Python, has none).
#
# A generated column may only use immutable functions: `json_text` is `to_json(text)::text` (a JSON string, escaped
# as the renderer escapes it), which PostgreSQL marks stable for every type but which for a text depends on no
# setting. Adding a stored column rewrites the table under an exclusive lock (about 30 s for 3 million lines on the
# bench machine): on a large installation, run it in a quiet hour.
#
# A change to a line's answer is a new migration that drops and adds the column again with the new expression.

from django.db import migrations

FUNCTION = (
    "CREATE OR REPLACE FUNCTION json_text(value text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN to_json(value)::text"
)

ANSWERS = {
    "pos_posinvoiceitem": (
        """'{"id":' || COALESCE('"' || id::text || '"', 'null')"""
        """ || ',"productId":' || COALESCE('"' || product_id::text || '"', 'null')"""
        """ || ',"name":' || COALESCE(json_text(name), 'null')"""
        """ || ',"sku":' || COALESCE(json_text(sku), 'null')"""
        """ || ',"quantity":' || COALESCE(trim_scale(quantity)::text, 'null')"""
        """ || ',"unitPrice":' || COALESCE(trim_scale(unit_price)::text, 'null')"""
        """ || ',"subtotal":' || COALESCE(trim_scale(subtotal)::text, 'null')"""
        """ || ',"discountAmount":' || COALESCE(trim_scale(discount_amount)::text, 'null')"""
        """ || ',"taxAmount":' || COALESCE(trim_scale(tax_amount)::text, 'null')"""
        """ || ',"total":' || COALESCE(trim_scale(total)::text, 'null')"""
        """ || ',"note":' || COALESCE(json_text(note), 'null') || '}'"""
    ),
    "pos_posinvoicediscount": (
        """'{"id":' || COALESCE('"' || id::text || '"', 'null')"""
        """ || ',"source":' || COALESCE(json_text(source), 'null')"""
        """ || ',"type":' || COALESCE(json_text(type), 'null')"""
        """ || ',"value":' || COALESCE(trim_scale(value)::text, 'null')"""
        """ || ',"amount":' || COALESCE(trim_scale(amount)::text, 'null')"""
        """ || ',"reason":' || COALESCE(json_text(reason), 'null') || '}'"""
    ),
    "pos_pospayment": (
        """'{"id":' || COALESCE('"' || id::text || '"', 'null')"""
        """ || ',"method":' || COALESCE(json_text(method), 'null')"""
        """ || ',"amount":' || COALESCE(trim_scale(amount)::text, 'null') || '}'"""
    ),
}


def add_answers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table, expression in ANSWERS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS answer text GENERATED ALWAYS AS ({expression}) STORED"
        )


def drop_answers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ANSWERS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS answer")
    schema_editor.execute("DROP FUNCTION IF EXISTS json_text(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("pos", "0008_public_id_trigram_index"),
    ]

    operations = [
        migrations.RunPython(add_answers, drop_answers, elidable=False),
    ]
