"""POS reads: querysets scoped to one workspace and already joined, so a view can forget neither."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, Prefetch, QuerySet, Sum

from invoicing.money import quantize_money
from pos.models import (
    BusinessSession,
    OrderStatus,
    PosInvoice,
    PosInvoiceDiscount,
    PosInvoiceItem,
    PosPayment,
)
from workspaces.models import Store, Workspace


def session_list(
    *, workspace: Workspace, status: str | None = None, store_id: int | None = None
) -> QuerySet[BusinessSession]:
    sessions = BusinessSession.objects.filter(workspace=workspace).select_related(
        "opened_by", "opened_by_api_key", "closed_by", "closed_by_api_key"
    )
    if status:
        sessions = sessions.filter(status=status)
    if store_id:
        sessions = sessions.filter(store_id=store_id)
    return sessions


def session_current(*, workspace: Workspace, store: Store) -> BusinessSession | None:
    return session_list(workspace=workspace, status=BusinessSession.Status.OPEN, store_id=store.pk).first()


def order_status_list(*, workspace: Workspace) -> QuerySet[OrderStatus]:
    return OrderStatus.objects.filter(workspace=workspace)


class InvoiceFilters(TypedDict, total=False):
    client_id: int
    status: str
    order_status_id: int
    session_id: int
    created_from: dt.datetime
    created_to: dt.datetime


def invoice_list(*, workspace: Workspace, filters: InvoiceFilters | None = None) -> QuerySet[PosInvoice]:
    """Invoices with everything their answer shows: a fixed number of queries for any page size."""
    filters = filters or {}
    invoices = (
        PosInvoice.objects.filter(workspace=workspace)
        .select_related("order_status", "created_by", "created_by_api_key")
        .prefetch_related(
            Prefetch("items", queryset=PosInvoiceItem.objects.order_by("pk")),
            Prefetch("discounts", queryset=PosInvoiceDiscount.objects.order_by("pk")),
            Prefetch("payments", queryset=PosPayment.objects.order_by("pk")),
        )
    )
    lookups = {
        "client_id": "client_id",
        "status": "status",
        "order_status_id": "order_status_id",
        "session_id": "session_id",
        "created_from": "created_at__gte",
        "created_to": "created_at__lte",
    }
    return invoices.filter(**{lookups[key]: value for key, value in filters.items()})


def invoice_get(*, workspace: Workspace, invoice_id: int) -> PosInvoice | None:
    return invoice_list(workspace=workspace).filter(pk=invoice_id).first()


def invoice_for_receipt(*, workspace: Workspace, invoice_id: int) -> PosInvoice | None:
    """The invoice with the workspace, store and client its receipt prints, and each line's product (its Arabic
    name)."""
    return (
        invoice_list(workspace=workspace)
        .select_related("workspace", "store", "client")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("items", queryset=PosInvoiceItem.objects.select_related("product").order_by("pk")),
            Prefetch("discounts", queryset=PosInvoiceDiscount.objects.order_by("pk")),
            Prefetch("payments", queryset=PosPayment.objects.order_by("pk")),
        )
        .filter(pk=invoice_id)
        .first()
    )


def invoice_scoped(*, workspace: Workspace, invoice_id: int) -> PosInvoice | None:
    """The bare row, for a write whose service re-reads it under lock anyway."""
    return PosInvoice.objects.filter(workspace=workspace, pk=invoice_id).first()


def _status_counts(invoices: QuerySet[PosInvoice]) -> dict[str, int]:
    """Invoices per status, every status named (zero when none): one query."""
    counts = {status: 0 for status in PosInvoice.Status.values}
    for row in invoices.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def _completed(invoices: QuerySet[PosInvoice]) -> QuerySet[PosInvoice]:
    return invoices.filter(status=PosInvoice.Status.COMPLETED)


def session_report(*, session: BusinessSession, counted_cash: Decimal | None) -> dict[str, Any]:
    """The day's report: counts by status, completed sales, payments by method, expected and counted cash.

    Open, it is the live X-report (`counted_cash` None); `session_close` stores it as the Z-report. Every amount
    has exactly the currency's minor digits (a database sum may carry more: `297.870000000000`)."""
    currency = session.workspace.currency  # joined or set by the caller, or one query

    def money(value: Decimal | None) -> Decimal:
        return quantize_money(value or Decimal(0), currency)

    invoices = PosInvoice.objects.filter(session=session)
    counts = _status_counts(invoices)
    completed = _completed(invoices)
    sums = completed.aggregate(
        gross=Sum("subtotal"),
        discounts=Sum("discount_total"),
        tax=Sum("tax_total"),
        net=Sum("total"),
        change=Sum("change_due"),
    )
    zero = Decimal(0)
    payments = {method: zero for method in PosPayment.Method.values}
    for row in (
        PosPayment.objects.filter(invoice__in=completed).values("method").annotate(total=Sum("amount"))
    ):
        payments[row["method"]] = money(row["total"])
    expected_cash = money(session.opening_cash + payments["cash"] - (sums["change"] or zero))
    return {
        "invoiceCounts": counts,
        "grossSales": money(sums["gross"]),
        "discountTotal": money(sums["discounts"]),
        "taxTotal": money(sums["tax"]),
        "netSales": money(sums["net"]),
        "payments": {method: money(amount) for method, amount in payments.items()},
        "expectedCash": expected_cash,
        "countedCash": None if counted_cash is None else money(counted_cash),
        "cashDifference": None if counted_cash is None else money(counted_cash - expected_cash),
    }


def session_day_report(*, session: BusinessSession) -> tuple[dict[str, Any], bool]:
    """The report of a day and whether it is final: the stored Z-report once closed, else the live X-report."""
    if session.status == BusinessSession.Status.CLOSED and session.summary is not None:
        return session.summary, True
    return session_report(session=session, counted_cash=None), False


class OpenDaysFigures(TypedDict):
    sessions: list[BusinessSession]
    invoiceCounts: dict[str, int]
    netSales: Decimal


def open_days_figures(*, workspace: Workspace) -> OpenDaysFigures:
    """The Z-report's figures so far over the workspace's open days (the admin's "today"): the open sessions with
    their stores, invoices per status, completed net sales. Three queries."""
    sessions = list(
        BusinessSession.objects.filter(workspace=workspace, status=BusinessSession.Status.OPEN)
        .select_related("store")
        .order_by("pk")
    )
    invoices = PosInvoice.objects.filter(workspace=workspace, session__in=sessions)
    net_sales = _completed(invoices).aggregate(net=Sum("total"))["net"] or Decimal(0)
    return {"sessions": sessions, "invoiceCounts": _status_counts(invoices), "netSales": net_sales}
