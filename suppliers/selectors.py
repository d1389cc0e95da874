"""Supplier reads: querysets scoped to one workspace, the aging report and the "today" figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, DecimalField, Expression, Max, Min, Q, QuerySet, Subquery, Sum, Value
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


def overdue_q(today: dt.date | Expression) -> Q:
    """Money remains and the workspace's today is after the due date (no due date: never overdue)."""
    return Q(remaining_amount__gt=0, due_date__lt=today)


def _id_bound(rows: QuerySet[SupplierInvoice], bound: type[Max] | type[Min]) -> Subquery:
    # Grouped by workspace, so that PostgreSQL reads the range's index for it rather than walking the primary key
    # to the first match (its MIN/MAX rewrite into ORDER BY id LIMIT 1 bets on an even spread of the rows).
    return Subquery(rows.order_by().values("workspace").annotate(bound=bound("pk")).values("bound"))


def _walk_within(
    invoices: QuerySet[SupplierInvoice], rows: QuerySet[SupplierInvoice]
) -> QuerySet[SupplierInvoice]:
    """`invoices`, confined to the ids between the least and the greatest of `rows` (a date range or the overdue
    ones, each read index-only from its index ending with the id): the same rows, but a page walks the primary key
    (the list's order) from the range's newest id down to its oldest, not from the table's newest. Without it,
    PostgreSQL bets the range is spread evenly over the ids and walks every later invoice to reach an early range
    (194,076 rows read for a page of three days in January, 200 ms at 200,000 invoices). It costs a read of the
    range's index entries (about 1 ms per 10,000), once per query."""
    return invoices.filter(pk__gte=_id_bound(rows, Min), pk__lte=_id_bound(rows, Max))


def invoice_list(
    *, workspace: Workspace, today: dt.date | Expression, filters: InvoiceFilters | None = None
) -> QuerySet[SupplierInvoice]:
    """Every filter of section 6, each on an indexed column; `today` is the workspace's (for `overdue`). `q` costs
    one query more (the suppliers whose name matches), run here. `today` and the dates of `filters` may be SQL
    parameters (`suppliers.api.json_rows` compiles the list once per shape, with `q` left out)."""
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
    # A range that ends in the past bounds the walk (`_walk_within`); one open towards today starts at the newest.
    ranges = []
    for field in ("issue_date", "due_date"):
        if f"{field}_to" in filters:
            bounds = {f"{field}__lte": filters[f"{field}_to"]}
            if f"{field}_from" in filters:
                bounds[f"{field}__gte"] = filters[f"{field}_from"]
            ranges.append(Q(**bounds))
    if filters.get("overdue"):
        ranges.append(overdue_q(today))
    for condition in ranges:
        invoices = _walk_within(invoices, SupplierInvoice.objects.filter(condition, workspace=workspace))
    if filters.get("q"):
        text = filters["q"].strip()
        # The suppliers whose name matches, first (one small query): a join in the OR would make PostgreSQL read
        # every invoice, while three conditions on the invoice's own columns are a BitmapOr of the trigram indexes
        # (suppliers migration 0004) and of (workspace, supplier, -id).
        supplier_ids = list(
            Supplier.objects.filter(workspace=workspace, name__icontains=text).values_list("pk", flat=True)
        )
        invoices = invoices.filter(
            Q(invoice_number_normalised__contains=normalise_invoice_number(text))
            | Q(description__icontains=text)
            | Q(supplier_id__in=supplier_ids)
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
    return Coalesce(Sum("invoices__remaining_amount", filter=condition), Value(ZERO), output_field=money)


def aging(*, workspace: Workspace, as_of: dt.date) -> dict[str, Any]:
    """Remaining amounts per supplier by days past due on `as_of`: not due (no due date, or due on or after
    `as_of`), 1-30, 31-60, 61-90, over 90. Invoices issued after `as_of` are left out; one grouped query."""
    days = dt.timedelta
    due = "invoices__due_date"
    conditions = {
        "notDue": Q(**{f"{due}__isnull": True}) | Q(**{f"{due}__gte": as_of}),
        "days1to30": Q(**{f"{due}__lt": as_of, f"{due}__gte": as_of - days(30)}),
        "days31to60": Q(**{f"{due}__lt": as_of - days(30), f"{due}__gte": as_of - days(60)}),
        "days61to90": Q(**{f"{due}__lt": as_of - days(60), f"{due}__gte": as_of - days(90)}),
        "over90": Q(**{f"{due}__lt": as_of - days(90)}),
    }
    # Grouped by the supplier (its primary key): PostgreSQL sums the open invoices (an index-only read of
    # `supplier_invoice_open_idx`) per supplier in a hash, then sorts the suppliers by name, not every invoice.
    rows = (
        Supplier.objects.filter(
            workspace=workspace,
            invoices__workspace=workspace,
            invoices__remaining_amount__gt=0,
            invoices__issue_date__lte=as_of,
        )
        .values("pk", "name")
        .annotate(**{name: _bucket_sum(condition) for name, condition in conditions.items()})
        .order_by("name", "pk")
    )
    suppliers = []
    totals = dict.fromkeys(BUCKETS, ZERO)
    for row in rows:
        buckets = {name: row[name] for name in BUCKETS}
        for name in BUCKETS:
            totals[name] += buckets[name]
        suppliers.append(
            {
                "supplierId": str(row["pk"]),
                "name": row["name"],
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
