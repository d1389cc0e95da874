"""POS reads: querysets scoped to one workspace and already joined, so a view can forget neither."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypedDict

from django.db import connection
from django.db.models import Count, Exists, Model, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.query import ValuesIterable

from invoicing.money import quantize_money
from pos import day_figures
from pos.models import (
    BusinessSession,
    OrderStatus,
    PosInvoice,
    PosInvoiceDiscount,
    PosInvoiceItem,
    PosPayment,
)
from workspaces.models import Store, Workspace
from workspaces.statements import CompiledRead


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


FILTER_LOOKUPS = {
    "client_id": "client_id",
    "status": "status",
    "order_status_id": "order_status_id",
    "session_id": "session_id",
    "created_from": "created_at__gte",
    "created_to": "created_at__lte",
}


def filtered(workspace: Workspace, filters: InvoiceFilters | None) -> QuerySet[PosInvoice]:
    filters = filters or {}
    invoices = PosInvoice.objects.filter(workspace=workspace)
    return invoices.filter(**{FILTER_LOOKUPS[key]: value for key, value in filters.items()})


def invoice_list(*, workspace: Workspace, filters: InvoiceFilters | None = None) -> QuerySet[PosInvoice]:
    """Invoices with everything their answer shows: a fixed number of queries for any page size."""
    return (
        filtered(workspace, filters)
        .select_related("order_status", "created_by", "created_by_api_key")
        .prefetch_related(
            Prefetch("items", queryset=PosInvoiceItem.objects.order_by("pk")),
            Prefetch("discounts", queryset=PosInvoiceDiscount.objects.order_by("pk")),
            Prefetch("payments", queryset=PosPayment.objects.order_by("pk")),
        )
    )


# An invoice's answer as plain values: its own columns, the order status's labels, its creator's name.
INVOICE_OWN_COLUMNS = (
    "id",
    "workspace_id",
    "store_id",
    "client_id",
    "session_id",
    "business_date",
    "public_id",
    "status",
    "order_status_id",
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "change_due",
    "returned_total",
    "stock_deducted_at",
    "completed_at",
    "cancelled_at",
    "created_by_type",
    "created_at",
    "updated_at",
    "offline",
    "client_ref",
    "synced_at",
    "offline_total",
    "total_mismatch",
    "stock_short",
)
INVOICE_COLUMNS = (
    *INVOICE_OWN_COLUMNS,
    "order_status__label_ar",
    "order_status__label_en",
    "created_by_id",
    "created_by__name",
    "created_by__email",
    "created_by_api_key_id",
    "created_by_api_key__name",
)
ITEM_COLUMNS = (
    "id",
    "product_id",
    "name",
    "sku",
    "quantity",
    "unit_price",
    "subtotal",
    "discount_amount",
    "tax_amount",
    "total",
    "note",
)
DISCOUNT_COLUMNS = ("id", "source", "type", "value", "amount", "reason")
PAYMENT_COLUMNS = ("id", "method", "amount")


class InvoiceRow(dict):
    """An invoice as plain values (`INVOICE_COLUMNS`), with `pk` for the cursor pagination."""

    @property
    def pk(self) -> int:
        return self["id"]


class _InvoiceRows(ValuesIterable):
    def __iter__(self):
        for row in super().__iter__():
            yield InvoiceRow(row)


def invoice_rows(*, workspace: Workspace, filters: InvoiceFilters | None = None) -> QuerySet[PosInvoice]:
    """`invoice_list` as plain rows (`InvoiceRow`, no model instances): the single GET's read and the list's
    (`pos.pages`, which pages a date range by `(created_at, id)`). Add their lines with `with_lines` once the page
    is cut."""
    rows = filtered(workspace, filters).values(*INVOICE_COLUMNS)
    rows._iterable_class = _InvoiceRows
    return rows


def invoice_rows_of(*, workspace: Workspace, ids: Sequence[int]) -> list[InvoiceRow]:
    """The workspace's invoices of `ids` as rows with their lines (`with_lines`); none read for no ids."""
    if not ids:
        return []
    return with_lines(list(invoice_rows(workspace=workspace).filter(pk__in=ids)))


_LINE_TABLES = (
    ("items", PosInvoiceItem, ITEM_COLUMNS),
    ("discounts", PosInvoiceDiscount, DISCOUNT_COLUMNS),
    ("payments", PosPayment, PAYMENT_COLUMNS),
)
# On PostgreSQL each table's read is compiled once, the ids one array parameter (`workspaces.statements.AnyOf`).
_LINES_OF = {
    name: CompiledRead(
        lambda invoice_ids, model=model, columns=columns: (
            model.objects.filter(invoice_id__any_of=invoice_ids)
            .order_by("pk")
            .values_list("invoice_id", *columns)
        )
    )
    for name, model, columns in _LINE_TABLES
}


def _lines(name: str, model: type[Model], columns: tuple[str, ...], ids: list[int]) -> list[tuple]:
    if connection.vendor == "postgresql":
        return _LINES_OF[name].rows(invoice_ids=ids)
    return list(model.objects.filter(invoice_id__in=ids).order_by("pk").values_list("invoice_id", *columns))


def with_lines(rows: list[InvoiceRow]) -> list[InvoiceRow]:
    """Each row's `items`, `discounts` and `payments` (plain values, in primary-key order): three queries for any
    number of rows."""
    by_id = {}
    for row in rows:
        row.update(items=[], discounts=[], payments=[])
        by_id[row["id"]] = row
    if not by_id:
        return rows
    for name, model, columns in _LINE_TABLES:
        ids = [pk for pk, row in by_id.items() if row.get(f"has_{name}", True)]
        if not ids:  # the rows said they have none (`invoice_row_get`)
            continue
        for invoice_id, *values in _lines(name, model, columns, ids):
            by_id[invoice_id][name].append(dict(zip(columns, values, strict=True)))
    return rows


_HAS = {
    f"has_{name}": Exists(model.objects.filter(invoice=OuterRef("pk")))
    for name, model in (("discounts", PosInvoiceDiscount), ("payments", PosPayment))
}
_ITEM_COLUMNS = [f"items__{name}" for name in ITEM_COLUMNS]
_INVOICE_WITH_ITEMS = CompiledRead(
    lambda workspace_id, invoice_id: (
        invoice_rows(workspace=Workspace(pk=workspace_id))
        .annotate(**_HAS)
        .filter(pk=invoice_id)
        .values_list(*INVOICE_COLUMNS, *_ITEM_COLUMNS, *_HAS)
        .order_by("items__id")
    )
)


def invoice_row_get(*, workspace: Workspace, invoice_id: int) -> InvoiceRow | None:
    """One invoice as `with_lines` gives it, read with its items in one query (a LEFT JOIN: one row per item,
    compiled once: `workspaces.statements`); its discounts and payments are read only when it has some."""
    rows = _INVOICE_WITH_ITEMS.dicts(workspace_id=workspace.pk, invoice_id=invoice_id)
    if not rows:
        return None
    row = InvoiceRow({name: rows[0][name] for name in (*INVOICE_COLUMNS, *_HAS)})
    row["has_items"] = False  # read here
    with_lines([row])
    row["items"] = [
        {name: line[column] for name, column in zip(ITEM_COLUMNS, _ITEM_COLUMNS, strict=True)}
        for line in rows
        if line["items__id"] is not None
    ]
    return row


def keep_rows(instance: Model, **rows: Sequence[Model]) -> None:
    """Hands rows already in hand (`items=[...]`, in primary-key order) to whoever reads `instance.items.all()`
    next, as `prefetch_related` would: an answer is built without reading them again."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, values in rows.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(values)
        queryset._prefetch_done = True
        cache[name] = queryset


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
    """The day's report: counts by status, completed sales, payments by method, the day's returns and refunds,
    expected (less cash refunds) and counted cash.

    Open, it is the live X-report (`counted_cash` None); `session_close` stores it as the Z-report. Every amount
    has exactly the currency's minor digits (a database sum may carry more: `297.870000000000`)."""
    currency = session.workspace.currency  # joined or set by the caller, or one query

    def money(value: Decimal | None) -> Decimal:
        return quantize_money(value or Decimal(0), currency)

    counts, sums = day_figures.invoice_figures(session.pk)  # `pos.day_figures`: the day's rows only
    zero = Decimal(0)
    payments = {method: zero for method in PosPayment.Method.values}
    for method, total in day_figures.payment_figures(session.pk):
        payments[method] = money(total)
    returns = returns_of_session(session, money)
    expected_cash = money(
        session.opening_cash + payments["cash"] - (sums["change"] or zero) - returns["refunds"]["cash"]
    )
    return {
        "invoiceCounts": counts,
        "grossSales": money(sums["gross"]),
        "discountTotal": money(sums["discounts"]),
        "taxTotal": money(sums["tax"]),
        "netSales": money(sums["net"]),
        "payments": {method: money(amount) for method, amount in payments.items()},
        "returnCounts": returns["returnCounts"],
        "returnTotal": returns["returnTotal"],
        "refunds": returns["refunds"],
        "expectedCash": expected_cash,
        "countedCash": None if counted_cash is None else money(counted_cash),
        "cashDifference": None if counted_cash is None else money(counted_cash - expected_cash),
    }


def returns_of_session(session: BusinessSession, money: Callable[[Decimal], Decimal]) -> dict[str, Any]:
    """The returns made in a session (section 8a: a return belongs to the day whose drawer refunded it, whatever
    the sale's day): how many and against how many sales, their total, the refunds by method. One query over the
    day's returns (`pos_return_session_idx`)."""
    count, total, sales = 0, Decimal(0), set()
    refunds = dict.fromkeys(PosPayment.Method.values, Decimal(0))
    for invoice_id, return_total, return_refunds in day_figures.return_rows(session.pk):
        count += 1
        total += return_total
        sales.add(invoice_id)
        for refund in return_refunds:
            refunds[refund["method"]] += Decimal(refund["amount"])
    return {
        "returnCounts": {"returns": count, "invoices": len(sales)},
        "returnTotal": money(total),
        "refunds": {method: money(amount) for method, amount in refunds.items()},
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
