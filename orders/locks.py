"""Row locks of the orders app. Each locks one table (`of=("self",)`).

Lock order: the order row, then (none today) the invoicing core's rows. The order row serialises every write to
its lines and invoices, so the lines themselves are not locked: nothing changes them without holding the order.
"""

from __future__ import annotations

from orders.models import Order
from workspaces.models import Workspace


def lock_order(*, workspace: Workspace, order_id: int) -> Order | None:
    """The workspace's order, locked until the transaction ends; None when it has no such order."""
    return Order.objects.select_for_update(of=("self",)).filter(workspace=workspace, pk=order_id).first()
