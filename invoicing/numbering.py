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

    Locking: the counter row stays locked (`SELECT ... FOR UPDATE`) until the caller's transaction ends, so take
    the number as late as possible in it, after the document's own validation. The row is created on first use
    with `INSERT ... ON CONFLICT DO NOTHING`, which two first callers may run at once.
    """
    if not transaction.get_connection().in_atomic_block:
        # In autocommit the increment would commit at once and a failed document would leave a gap.
        raise TransactionManagementError(
            "number_next() must run inside the transaction that creates the document."
        )
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(workspace=workspace, series=series, last_value=0)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(workspace=workspace, series=series)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def format_number(series: str, value: int) -> str:
    """`POS`, 1 -> `POS-001` (at least three digits: `POS-999`, `POS-1000`); `api2`, 1 -> `000001` (six digits,
    no prefix, seed 004)."""
    if series == API2_SERIES:
        return f"{value:06d}"
    return f"{series}-{value:03d}"
