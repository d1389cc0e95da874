"""Gapless human document numbers, per workspace and series (PRODUCT.md section 4, "Numbering").

The number comes from a `DocumentCounter` row locked in the transaction that creates the document: concurrent
terminals queue on the lock and never get the same number, and a transaction that rolls back rolls its
increment back with it, so it leaves no gap.
"""

from __future__ import annotations

from django.db import transaction
from django.db.transaction import TransactionManagementError

from invoicing.models import DocumentCounter
from workspaces.models import Workspace

API2_SERIES = "api2"
POS_SERIES = "POS"


def number_next(*, workspace: Workspace, series: str) -> int:
    """The next number of `series` in `workspace` (1, 2, 3, ...), taken inside the caller's transaction.

    One statement, `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (PostgreSQL; SQLite 3.35+): the first number
    creates the row, every later one increments it. The upsert leaves the row locked until the caller's transaction
    ends, as `SELECT ... FOR UPDATE` would: concurrent creators queue on it and never get the same number, and a
    rollback gives the number back. So take the number as late as possible, after the document's own validation.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        # In autocommit the increment would commit at once and a failed document would leave a gap.
        raise TransactionManagementError(
            "number_next() must run inside the transaction that creates the document."
        )
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (workspace_id, series, last_value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (workspace_id, series) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [workspace.pk, series],
        )
        return cursor.fetchone()[0]


def format_number(series: str, value: int) -> str:
    """`POS`, 1 -> `POS-001` (at least three digits: `POS-999`, `POS-1000`); `api2`, 1 -> `000001` (six digits,
    no prefix, seed 004)."""
    if series == API2_SERIES:
        return f"{value:06d}"
    return f"{series}-{value:03d}"
