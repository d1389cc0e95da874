"""Row locks of the invoicing core. Each helper locks one table (`of=("self",)`), rows in primary-key order.

The house's lock order (docs/ARCHITECTURE.md): a feature's parent row (business session, order, supplier invoice),
then the document, then the ZATCA device, then the document counter (`invoicing.numbering`), then stock levels.
"""

from __future__ import annotations

from collections.abc import Iterable

from invoicing.models import Invoice, StockLevel
from workspaces.models import Store, Workspace


def lock_stock_levels(
    *, workspace: Workspace, store: Store, product_ids: Iterable[int]
) -> dict[int, StockLevel]:
    """The levels of `product_ids` in `store`, created at 0 where missing, locked until the transaction ends.

    The existing rows are locked in primary-key order (one query, the usual case); the missing ones are then
    inserted in product-id order (`INSERT ... ON CONFLICT DO NOTHING`: two first writers may run it at once) and
    locked. New rows take higher primary keys than existing ones, so concurrent writers still lock in
    primary-key order and queue instead of deadlocking, whatever the order of their lines.
    """
    product_ids = sorted(set(product_ids))

    def locked(ids: list[int]) -> dict[int, StockLevel]:
        levels = (
            StockLevel.objects.select_for_update(of=("self",))
            .filter(workspace=workspace, store=store, product_id__in=ids)
            .order_by("pk")
        )
        return {level.product_id: level for level in levels}

    levels = locked(product_ids)
    missing = [product_id for product_id in product_ids if product_id not in levels]
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(workspace=workspace, store=store, product_id=product_id) for product_id in missing],
            ignore_conflicts=True,
        )
        levels.update(locked(missing))
    return levels


def lock_sales_invoice(*, workspace: Workspace, invoice_id: int) -> Invoice:
    """An api2 sales invoice of `workspace`, locked alone (its workspace is read in the same query, not locked)."""
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .get(workspace=workspace, pk=invoice_id)
    )
