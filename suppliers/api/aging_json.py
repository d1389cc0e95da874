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
from workspaces.models import Workspace

_INVOICES = SupplierInvoice._meta.db_table
_SUPPLIERS = Supplier._meta.db_table

# Each value written as `workspaces.json_sql` writes it: `number` (trim_scale), `text` (to_json), `id_text`.
_BUCKETS = ("notDue", "days1to30", "days31to60", "days61to90", "over90")


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

# %(as_of)s and the bucket bounds as in `selectors.aging`: not due (no due date, or due on or after `as_of`), 1-30,
# 31-60, 61-90, over 90 days past due; invoices issued after `as_of` left out.
_SQL = f"""
WITH per AS (
    SELECT i.supplier_id,
        COALESCE(SUM(i.remaining_amount) FILTER (WHERE i.due_date IS NULL OR i.due_date >= %(as_of)s), 0) AS b0,
        COALESCE(SUM(i.remaining_amount) FILTER (WHERE i.due_date < %(as_of)s AND i.due_date >= %(d30)s), 0) AS b1,
        COALESCE(SUM(i.remaining_amount) FILTER (WHERE i.due_date < %(d30)s AND i.due_date >= %(d60)s), 0) AS b2,
        COALESCE(SUM(i.remaining_amount) FILTER (WHERE i.due_date < %(d60)s AND i.due_date >= %(d90)s), 0) AS b3,
        COALESCE(SUM(i.remaining_amount) FILTER (WHERE i.due_date < %(d90)s), 0) AS b4
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
    days = dt.timedelta
    values = {
        "workspace": workspace.pk,
        "as_of": as_of,
        "d30": as_of - days(30),
        "d60": as_of - days(60),
        "d90": as_of - days(90),
    }
    # The replica where the view allows it, as the ORM's own reads.
    with connections[router.db_for_read(SupplierInvoice)].cursor() as cursor:
        cursor.execute(_SQL, values)
        suppliers, totals = cursor.fetchone()
    return suppliers, totals
