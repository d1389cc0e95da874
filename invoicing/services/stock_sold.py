"""A sale that already happened takes its stock out whatever is left (a sale a till made offline, PRODUCT.md section
8d): the invariants of `invoicing.services.stock` hold (a level is the sum of its movements, levels locked in
primary-key order, a document's stock leaves once), but short stock is recorded, not refused."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoicing.locks import lock_stock_levels
from invoicing.models import StockLevel, StockMovement
from invoicing.services.stock import (
    QUANTUM,
    _check_reason,
    _check_storable,
    _check_store,
    _quantity,
    document_movements,
    insert_out_movements,
)
from workspaces.models import Store, Workspace
from workspaces.tenancy import Access
from workspaces.transactions import atomic


def _lower_levels(workspace: Workspace, store: Store, taken: dict[int, Decimal]) -> dict[int, Decimal]:
    """Lowers the existing levels of `taken`'s products by its quantities in one `UPDATE ... RETURNING`, its
    sub-select locking them in primary-key order (the house's order); returns their new quantities. A product
    without a level in the store is left out of the answer."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    cases = " ".join("WHEN %s THEN %s" for _ in taken)
    listed = ", ".join("%s" for _ in taken)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""  # SQLite's writers queue on the file
    sql = (
        f"UPDATE {table} SET quantity = quantity - (CASE product_id {cases} END), updated_at = %s "
        f"WHERE id IN (SELECT id FROM {table} WHERE workspace_id = %s AND store_id = %s "
        f"AND product_id IN ({listed}) ORDER BY id{lock}) RETURNING product_id, quantity"
    )
    params = [value for pair in taken.items() for value in pair]
    params += [connection.ops.adapt_datetimefield_value(timezone.now()), workspace.pk, store.pk, *taken]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # SQLite hands back a number of its own: the level's exact value is its text at three places.
        return {pk: Decimal(str(value)).quantize(QUANTUM) for pk, value in cursor.fetchall()}


@atomic
def stock_deduct_sold(
    *,
    workspace: Workspace,
    store: Store,
    source_type: str,
    source_id: int,
    taken: dict[int, Decimal],
    actor: Access | None,
    reason: str = StockMovement.Reason.SALE,
) -> list[StockMovement]:
    """Takes out of `store` what a sale that already happened took (a sale made offline, section 8d): `taken` is
    product id → quantity, products that track stock only (the caller knows them). Never refused for short stock:
    a level may go below zero, and the movement of each product whose level did is flagged `stock_short`.

    Two statements in the usual case: the levels lowered (`_lower_levels`, locked in primary-key order), then the
    movements. A product without a level in the store gets one first (`lock_stock_levels`). The ledger's unique
    constraint keeps a document's stock from leaving twice."""
    _check_store(workspace, store)
    _check_reason(reason)
    taken = {pk: _quantity(quantity, positive=True) for pk, quantity in taken.items()}
    if not taken:
        return []
    levels = _lower_levels(workspace, store, taken)
    missing = {pk: quantity for pk, quantity in taken.items() if pk not in levels}
    if missing:
        lock_stock_levels(workspace=workspace, store=store, product_ids=missing)
        levels.update(_lower_levels(workspace, store, missing))
    for level in levels.values():
        _check_storable(level)
    return insert_out_movements(
        document_movements(
            workspace=workspace,
            store=store,
            source_type=source_type,
            source_id=source_id,
            direction=StockMovement.Direction.OUT,
            reason=reason,
            actor=actor,
            deltas={pk: -quantity for pk, quantity in taken.items()},
            short=[pk for pk, level in levels.items() if level < 0],
        )
    )
