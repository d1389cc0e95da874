"""Reads of the api2 sales invoices: querysets scoped by workspace and already joined."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NamedTuple, TypedDict

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Expression,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Window,
)

from invoicing.models import Invoice, InvoiceItem, InvoicePayment, SalesInvoiceDay
from workspaces.models import Workspace

# `no` is the number written with at least six digits; a longer run of digits than a bigint holds names nothing.
_NUMBER_MAX_DIGITS = 18


class SalesInvoiceFilters(TypedDict, total=False):
    client_id: int
    store_id: int
    draft: bool
    date_from: dt.date
    date_to: dt.date
    search: str


def _number_of(no: str) -> int | None:
    """The number whose `no` is exactly `no` ("000042" -> 42; "42" and "0000042" name no invoice), else None."""
    if not (no.isascii() and no.isdigit()) or len(no) > _NUMBER_MAX_DIGITS:
        return None
    number = int(no)
    return number if f"{number:06d}" == no else None


def sales_invoice_list(
    *, workspace: Workspace, filters: SalesInvoiceFilters | None = None
) -> QuerySet[Invoice]:
    """This workspace's invoices, newest first (the latest `date` first; on one day, the last created first),
    filtered as api2's list asks (PRODUCT.md section 8). A list shows the invoice alone, so nothing is joined: one
    query per page whatever its length and its filters.

    The order is the invoice `date` because the list filters on it: each filter has an index (workspace, <filter>,
    -date, -id) (`invoicing.models.Invoice.Meta.indexes`), so a page of any date range, alone or with a client, a
    store or the draft flag, is a walk of one index. Ordered by `-id` alone, PostgreSQL walked the primary key
    backwards through every later invoice to reach an old month (133 ms at a million rows, growing with the
    table; 0.1 ms so). `search` is an invoice whose `no` or `po_number` equals it (an integration's "did I invoice
    this order already?"): the unique (workspace, number) and (workspace, po_number), never a contains that would
    read every row."""
    filters = filters or {}
    invoices = Invoice.objects.filter(workspace=workspace).order_by("-date", "-pk")
    if "client_id" in filters:
        invoices = invoices.filter(client_id=filters["client_id"])
    if "store_id" in filters:
        invoices = invoices.filter(store_id=filters["store_id"])
    if "draft" in filters:
        invoices = invoices.filter(draft=filters["draft"])
    if "date_from" in filters:
        invoices = invoices.filter(date__gte=filters["date_from"])
    if "date_to" in filters:
        invoices = invoices.filter(date__lte=filters["date_to"])
    if "search" in filters:
        search = filters["search"]
        number = _number_of(search)
        found = Q(po_number=search)
        if number is not None:
            found |= Q(number=number)
        invoices = invoices.filter(found)
    return invoices


# A page this deep or deeper reads its ids alone first (see `sales_invoice_page`).
DEEP_OFFSET = 1000
# Up to this many rows the list's `total_results` is exact; past it, PostgreSQL's estimate (`sales_invoice_count`).
COUNT_EXACT_UP_TO = 10_000


def sales_invoice_count(invoices: QuerySet[Invoice]) -> tuple[int, bool]:
    """(the number of rows of `sales_invoice_list`'s queryset, whether it is exact).

    Exact up to `COUNT_EXACT_UP_TO` rows: a COUNT of at most that many + 1 entries of the list's index, index-only.
    Past it, on PostgreSQL, the planner's estimate of the filtered query (an EXPLAIN, no row read; never below
    the threshold + 1): an exact COUNT(*) of 200,000 rows reads the 200,000 index entries on every page (~25 ms,
    more than the page itself). Elsewhere (SQLite, development) the exact COUNT."""
    counted = invoices.order_by()[: COUNT_EXACT_UP_TO + 1].count()
    if counted <= COUNT_EXACT_UP_TO:
        return counted, True
    if connection.vendor != "postgresql":
        return invoices.count(), True
    sql, params = invoices.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return max(int(plan[0]["Plan"]["Plan Rows"]), COUNT_EXACT_UP_TO + 1), False


def sales_invoice_page(
    invoices: QuerySet[Invoice], *, offset: int, limit: int, json: Expression | None = None
) -> list[Invoice] | list[dict[str, Any]]:
    """The page [offset, offset + limit) of `sales_invoice_list`'s queryset, cheap at any depth.

    A shallow page is the plain slice. A deep one skips its `offset` rows in the list's index alone (an index-only
    scan of (workspace, [filter,] -date, -id): no table row is read for the rows skipped), then reads its own rows
    by primary key (a "deferred join"). Same rows, same order as the plain slice.

    With `json` (a `workspaces.json_sql` expression: PostgreSQL) each row is `{"id", "json"}`, its answer's text,
    at any depth by the deferred join: the text is written for the page's rows alone, never for those skipped."""
    if offset < DEEP_OFFSET and json is None:
        return list(invoices[offset : offset + limit])
    chosen = Invoice.objects.filter(pk__in=invoices.values("pk")[offset : offset + limit])
    chosen = chosen.order_by(*invoices.query.order_by)
    if json is None:
        return list(chosen)
    return list(chosen.annotate(json=json).values("id", "json"))


# The filters `SalesInvoiceDay` counts for: none but the dates.
_DAY_FILTERS = frozenset({"date_from", "date_to"})


class SalesInvoiceWindow(NamedTuple):
    rows: list[Invoice] | list[dict[str, Any]]
    total: int
    exact: bool


def sales_invoice_window(
    *,
    workspace: Workspace,
    filters: SalesInvoiceFilters | None = None,
    offset: int,
    limit: int,
    json: Expression | None = None,
) -> SalesInvoiceWindow:
    """The page [offset, offset + limit) of `sales_invoice_list`, and the list's total.

    On PostgreSQL, a list filtered by its dates alone (or not at all) reads its day counts first
    (`SalesInvoiceDay`, kept by triggers): one query over the workspace's days (365 rows a year) gives the exact
    total and the day the page begins on, with the rows of the later days; the page is then read from that day
    down, skipping only the rows of its own day before the offset. Skipping the offset in the list's index cost
    in proportion to the depth (21 ms for 100,000 rows, 46 ms for 200,000 at a million rows); this costs about
    the same at any depth. Other filters (a client, a store, the draft flag, `search`) count and skip as
    `sales_invoice_count` and `sales_invoice_page` do. `json`: the rows as `sales_invoice_page` writes them."""
    filters = filters or {}
    invoices = sales_invoice_list(workspace=workspace, filters=filters)
    if connection.vendor == "postgresql" and _DAY_FILTERS.issuperset(filters):
        start = _day_of(workspace=workspace, filters=filters, offset=offset)
        if start is None:
            return SalesInvoiceWindow([], 0, True)
        total, day, before = start
        rows = (
            sales_invoice_page(invoices.filter(date__lte=day), offset=offset - before, limit=limit, json=json)
            if offset < total
            else []
        )
        return SalesInvoiceWindow(rows, total, True)
    total, exact = sales_invoice_count(invoices)
    # A page past an estimated end is still read: the estimate may be short.
    rows = (
        sales_invoice_page(invoices, offset=offset, limit=limit, json=json)
        if offset < total or not exact
        else []
    )
    return SalesInvoiceWindow(rows, total, exact)


def _day_of(
    *, workspace: Workspace, filters: SalesInvoiceFilters, offset: int
) -> tuple[int, dt.date, int] | None:
    """(the list's total, the day its row at `offset` is on, the number of the list's rows on later days), from the
    day counts of the list's date range; None when the range holds no invoice. Past the end, the oldest day."""
    days = SalesInvoiceDay.objects.filter(workspace=workspace, invoices__gt=0)
    if "date_from" in filters:
        days = days.filter(date__gte=filters["date_from"])
    if "date_to" in filters:
        days = days.filter(date__lte=filters["date_to"])
    # Counted as bigint: the offset may be far past a 32-bit integer (page 10^12), and Django reads a comparison
    # with an integer past its field's range as true for every row, which a window's filter cannot compile.
    count = BigIntegerField()
    days = days.annotate(
        total=Window(Sum("invoices", output_field=count)),
        before=ExpressionWrapper(
            Window(Sum("invoices", output_field=count), order_by=F("date").desc()) - F("invoices"),
            output_field=count,
        ),
    )
    return days.filter(before__lte=offset).order_by("date").values_list("total", "date", "before").first()


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
