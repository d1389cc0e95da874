"""Reads of the api2 sales invoices: querysets scoped by workspace and already joined."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

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
