"""Reads of the api2 sales invoices: querysets scoped by workspace and already joined."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from invoicing.models import Invoice, InvoiceItem, InvoicePayment
from workspaces.models import Workspace


def sales_invoice_list(*, workspace: Workspace) -> QuerySet[Invoice]:
    """This workspace's invoices, newest first (served by the `(workspace, -id)` index). A list shows the
    invoice alone, so nothing is joined: one query per page whatever its length."""
    return Invoice.objects.filter(workspace=workspace).order_by("-pk")


def sales_invoice_get(*, workspace: Workspace, invoice_id: int) -> Invoice | None:
    """One invoice of this workspace with its items and payments (three queries), or None."""
    return (
        Invoice.objects.filter(workspace=workspace, pk=invoice_id)
        .prefetch_related(
            Prefetch("items", queryset=InvoiceItem.objects.order_by("pk")),
            Prefetch("payments", queryset=InvoicePayment.objects.order_by("pk")),
        )
        .first()
    )
