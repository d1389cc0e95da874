"""Orders reads: querysets scoped to one workspace and already joined, so a view can forget neither."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderInvoice, OrderInvoiceLine, OrderLineItem
from workspaces.models import Workspace


def order_list(*, workspace: Workspace) -> QuerySet[Order]:
    """Orders with their lines: two queries for any page size."""
    return Order.objects.filter(workspace=workspace).prefetch_related(
        Prefetch("line_items", queryset=OrderLineItem.objects.order_by("pk"))
    )


def order_get(*, workspace: Workspace, order_id: int) -> Order | None:
    return order_list(workspace=workspace).filter(pk=order_id).first()


def order_invoice_list(*, workspace: Workspace, order_id: int | None = None) -> QuerySet[OrderInvoice]:
    """Invoices with their creator and lines: two queries for any page size."""
    invoices = (
        OrderInvoice.objects.filter(workspace=workspace)
        .select_related("created_by", "created_by_api_key")
        .prefetch_related(Prefetch("lines", queryset=OrderInvoiceLine.objects.order_by("pk")))
    )
    if order_id is not None:
        invoices = invoices.filter(order_id=order_id)
    return invoices


def order_invoice_get(*, workspace: Workspace, invoice_id: int) -> OrderInvoice | None:
    return order_invoice_list(workspace=workspace).filter(pk=invoice_id).first()
