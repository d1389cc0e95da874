"""The aging report's suppliers and totals written by PostgreSQL (`workspaces.json_sql`), byte for byte what the
renderer writes from `suppliers.selectors.aging` (tests/suppliers/test_aging_speed.py), in one statement.

At 1,000,000 rows the report's Python cost more than its SQL: Django built and compiled the grouped query with its
five filtered sums on every request (~5 ms), then converted ~100 rows of five Decimals and the renderer wrote
them. Here the SQL is a constant, its values the workspace and four days; PostgreSQL sums the open invoices per
supplier first (an index-only read of `supplier_invoice_open_idx`, one HashAggregate), joins the ~100 sums to
their suppliers, and writes the rows, in the selector's order (name, id), and the totals as two JSON texts."""

from __future__ import annotations

import datetime as dt

from django.db import connections, router

from suppliers.models import Supplier, SupplierInvoice
from suppliers.selectors import BUCKETS, aging_buckets
from workspaces.models import Workspace

_INVOICES = SupplierInvoice._meta.db_table
_SUPPLIERS = Supplier._meta.db_table

# Each value written as `workspaces.json_sql` writes it: `number` (trim_scale), `text` (to_json), `id_text`.
_BUCKETS = BUCKETS


def _number(sql: str) -> str:
    return f"trim_scale({sql})::text"


def _object(pairs: list[tuple[str, str]]) -> str:
    return (
        " || ".join(
            f"'{'{' if index == 0 else ','}\"{key}\":' || {value}" for index, (key, value) in enumerate(pairs)
        )
        + " || '}'"
    )


_PER_SUPPLIER = ", ".join(f"b{index}" for index in range(len(_BUCKETS)))
_SUPPLIER_TOTAL = " + ".join(f"b{index}" for index in range(len(_BUCKETS)))
_SUPPLIER_JSON = _object(
    [
        ("supplierId", "'\"' || id::text || '\"'"),
        ("name", "COALESCE(to_json((name)::text)::text, 'null')"),
        *((key, _number(f"b{index}")) for index, key in enumerate(_BUCKETS)),
        ("total", _number("total")),
    ]
)
_TOTALS_JSON = _object(
    [
        *((key, _number(f"COALESCE(SUM(b{index}), 0)")) for index, key in enumerate(_BUCKETS)),
        ("total", _number("COALESCE(SUM(total), 0)")),
    ]
)


def _within(index: int, start: dt.date | None, before: dt.date | None) -> str:
    """A bucket's condition (`selectors.aging_buckets`), its dates the parameters `b<index>_from` / `_before`."""
    parts = [f"i.due_date >= %(b{index}_from)s"] if start else []
    parts += [f"i.due_date < %(b{index}_before)s"] if before else ["i.due_date IS NULL"]
    return " AND ".join(parts) if before else " OR ".join(parts)


def _sums(as_of: dt.date) -> str:
    return ",\n        ".join(
        f"COALESCE(SUM(i.remaining_amount) FILTER (WHERE {_within(index, *aging_buckets(as_of)[name])}), 0) AS b{index}"
        for index, name in enumerate(_BUCKETS)
    )


# Invoices issued after `as_of` left out, as in `selectors.aging`. Which bounds a bucket has is the same on every
# day (`aging_buckets`): the statement is built once, its dates parameters.
_SQL = f"""
WITH per AS (
    SELECT i.supplier_id,
        {_sums(dt.date(2000, 1, 1))}
    FROM {_INVOICES} i
    WHERE i.workspace_id = %(workspace)s AND i.remaining_amount > 0 AND i.issue_date <= %(as_of)s
    GROUP BY i.supplier_id
), owed AS (
    SELECT s.id, s.name, {_PER_SUPPLIER}, {_SUPPLIER_TOTAL} AS total
    FROM per JOIN {_SUPPLIERS} s ON s.id = per.supplier_id
    WHERE s.workspace_id = %(workspace)s
)
SELECT COALESCE('[' || string_agg({_SUPPLIER_JSON}, ',' ORDER BY name, id) || ']', '[]'), {_TOTALS_JSON}
FROM owed
"""


def aging_texts(*, workspace: Workspace, as_of: dt.date) -> tuple[str, str]:
    """The report's `suppliers` (a JSON array) and `totals` (a JSON object) on `as_of`: one query (PostgreSQL)."""
    values: dict[str, object] = {"workspace": workspace.pk, "as_of": as_of}
    for index, name in enumerate(_BUCKETS):
        start, before = aging_buckets(as_of)[name]
        values.update({f"b{index}_from": start, f"b{index}_before": before})
    # The replica where the view allows it, as the ORM's own reads.
    with connections[router.db_for_read(SupplierInvoice)].cursor() as cursor:
        cursor.execute(_SQL, values)
        suppliers, totals = cursor.fetchone()
    return suppliers, totals
