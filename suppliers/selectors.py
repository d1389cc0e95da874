"""Supplier reads: querysets scoped to one workspace, the aging report and the "today" figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from suppliers.models import Supplier, SupplierInvoice, SupplierPayment, normalise_invoice_number
from workspaces.models import Workspace

ZERO = Decimal(0)
BUCKETS = ("notDue", "days1to30", "days31to60", "days61to90", "over90")


def supplier_list(*, workspace: Workspace) -> QuerySet[Supplier]:
    return Supplier.objects.filter(workspace=workspace)


class InvoiceFilters(TypedDict, total=False):
    supplier_id: int
    status: str
    issue_date_from: dt.date
    issue_date_to: dt.date
    due_date_from: dt.date
    due_date_to: dt.date
    overdue: bool
    q: str


def overdue_q(today: dt.date) -> Q:
    """Money remains and the workspace's today is after the due date (no due date: never overdue)."""
    return Q(remaining_amount__gt=0, due_date__lt=today)


def invoice_list(
    *, workspace: Workspace, today: dt.date, filters: InvoiceFilters | None = None
) -> QuerySet[SupplierInvoice]:
    """Every filter of section 6, each on an indexed column; `today` is the workspace's (for `overdue`)."""
    filters = filters or {}
    invoices = SupplierInvoice.objects.filter(workspace=workspace)
    lookups = {
        "supplier_id": "supplier_id",
        "status": "status",
        "issue_date_from": "issue_date__gte",
        "issue_date_to": "issue_date__lte",
        "due_date_from": "due_date__gte",
        "due_date_to": "due_date__lte",
    }
    invoices = invoices.filter(**{lookups[k]: v for k, v in filters.items() if k in lookups})
    if "overdue" in filters:
        invoices = (
            invoices.filter(overdue_q(today)) if filters["overdue"] else invoices.exclude(overdue_q(today))
        )
    if filters.get("q"):
        text = filters["q"].strip()
        invoices = invoices.filter(
            Q(invoice_number_normalised__contains=normalise_invoice_number(text))
            | Q(description__icontains=text)
            | Q(supplier__name__icontains=text)
        )
    return invoices


def invoice_get(*, workspace: Workspace, supplier_id: int, invoice_id: int) -> SupplierInvoice | None:
    return SupplierInvoice.objects.filter(workspace=workspace, supplier_id=supplier_id, pk=invoice_id).first()


def payment_list(*, invoice: SupplierInvoice) -> QuerySet[SupplierPayment]:
    return SupplierPayment.objects.filter(workspace_id=invoice.workspace_id, invoice=invoice)


def overdue_summary(*, workspace: Workspace, today: dt.date) -> dict[str, Any]:
    """The number of overdue invoices and the sum still owed on them (the admin's "Today")."""
    row = SupplierInvoice.objects.filter(overdue_q(today), workspace=workspace).aggregate(
        count=Count("pk"), total=Sum("remaining_amount")
    )
    return {"count": row["count"], "total": row["total"] or ZERO}


def _bucket_sum(condition: Q) -> Coalesce:
    money = DecimalField(max_digits=18, decimal_places=3)
    return Coalesce(Sum("remaining_amount", filter=condition), Value(ZERO), output_field=money)


def aging(*, workspace: Workspace, as_of: dt.date) -> dict[str, Any]:
    """Remaining amounts per supplier by days past due on `as_of`: not due (no due date, or due on or after
    `as_of`), 1-30, 31-60, 61-90, over 90. Invoices issued after `as_of` are left out; one grouped query."""
    days = dt.timedelta
    conditions = {
        "notDue": Q(due_date__isnull=True) | Q(due_date__gte=as_of),
        "days1to30": Q(due_date__lt=as_of, due_date__gte=as_of - days(30)),
        "days31to60": Q(due_date__lt=as_of - days(30), due_date__gte=as_of - days(60)),
        "days61to90": Q(due_date__lt=as_of - days(60), due_date__gte=as_of - days(90)),
        "over90": Q(due_date__lt=as_of - days(90)),
    }
    rows = (
        SupplierInvoice.objects.filter(workspace=workspace, remaining_amount__gt=0, issue_date__lte=as_of)
        .values("supplier_id", "supplier__name")
        .annotate(**{name: _bucket_sum(condition) for name, condition in conditions.items()})
        .order_by("supplier__name", "supplier_id")
    )
    suppliers = []
    totals = dict.fromkeys(BUCKETS, ZERO)
    for row in rows:
        buckets = {name: row[name] for name in BUCKETS}
        for name in BUCKETS:
            totals[name] += buckets[name]
        suppliers.append(
            {
                "supplierId": str(row["supplier_id"]),
                "name": row["supplier__name"],
                **buckets,
                "total": sum(buckets.values(), ZERO),
            }
        )
    return {
        "asOf": as_of,
        "currency": workspace.currency,
        "suppliers": suppliers,
        "totals": {**totals, "total": sum(totals.values(), ZERO)},
    }
