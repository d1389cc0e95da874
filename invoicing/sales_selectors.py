"""Reads of the api2 sales invoices: querysets scoped by workspace and already joined."""

from __future__ import annotations

import datetime as dt
import json
from typing import TypedDict

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from invoicing.models import Invoice, InvoiceItem, InvoicePayment
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


def sales_invoice_page(invoices: QuerySet[Invoice], *, offset: int, limit: int) -> list[Invoice]:
    """The page [offset, offset + limit) of `sales_invoice_list`'s queryset, cheap at any depth.

    A shallow page is the plain slice. A deep one skips its `offset` rows in the list's index alone (an index-only
    scan of (workspace, [filter,] -date, -id): no table row is read for the rows skipped), then reads its own rows
    by primary key (a "deferred join"). Same rows, same order as the plain slice."""
    if offset < DEEP_OFFSET:
        return list(invoices[offset : offset + limit])
    ids = invoices.values("pk")[offset : offset + limit]
    return list(Invoice.objects.filter(pk__in=ids).order_by(*invoices.query.order_by))


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
