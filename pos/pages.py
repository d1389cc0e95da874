"""A page of the POS invoice list by compiled statements (`workspaces.statements`): the list's common shapes (any
of the id and status filters, a cursor or not, a limit) each compiled once per process, so a till's refresh does not
build and compile the same SQL again. A date range is paged by `(created_at, id)` (`_range_page`)."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Q

from pos.models import PosInvoice
from pos.selectors import FILTER_LOOKUPS, INVOICE_COLUMNS, InvoiceFilters, InvoiceRow, filtered, invoice_rows
from workspaces.api.pagination import (
    cut_page,
    decode_cursor,
    decode_moment_cursor,
    encode_cursor,
    encode_moment_cursor,
)
from workspaces.models import Workspace
from workspaces.statements import CompiledRead

_COMPILED_FILTERS = {"client_id", "status", "order_status_id", "session_id"}


@lru_cache(maxsize=256)  # shapes: the filters given, a cursor or not, the limit
def _page_read(filter_names: tuple[str, ...], after_cursor: bool, size: int) -> CompiledRead:
    def build(**values: object):
        invoices = PosInvoice.objects.filter(
            workspace_id=values["workspace_id"],
            **{FILTER_LOOKUPS[name]: values[name] for name in filter_names},
        )
        if after_cursor:
            invoices = invoices.filter(pk__lt=values["before_id"])
        return invoices.order_by("-pk").values_list(*INVOICE_COLUMNS)[:size]

    return CompiledRead(build)


def invoice_page(
    *, workspace: Workspace, filters: InvoiceFilters, limit: int, cursor: str | None
) -> tuple[list[InvoiceRow], str | None]:
    """The page newest first (`limit` rows after `cursor`) and the next page's cursor, as
    `workspaces.api.pagination.paginate` cuts it: one query, the page plus one row."""
    if _RANGE & filters.keys():
        return _range_page(workspace=workspace, filters=filters, limit=limit, cursor=cursor)
    before_id = decode_cursor(cursor) if cursor else None
    if not filters.keys() <= _COMPILED_FILTERS:
        invoices = invoice_rows(workspace=workspace, filters=filters).order_by("-pk")
        if before_id is not None:
            invoices = invoices.filter(pk__lt=before_id)
        rows = list(invoices[: limit + 1])
    else:
        read = _page_read(tuple(sorted(filters)), before_id is not None, limit + 1)
        extra = {"before_id": before_id} if before_id is not None else {}
        rows = [InvoiceRow(row) for row in read.dicts(workspace_id=workspace.pk, **filters, **extra)]
    return cut_page(rows, limit, lambda last: encode_cursor(last["id"]))


_RANGE = {"created_from", "created_to"}


def _range_page(
    *, workspace: Workspace, filters: InvoiceFilters, limit: int, cursor: str | None
) -> tuple[list[InvoiceRow], str | None]:
    """A date range's page, newest first by `(created_at, id)`: a walk of `pos_invoice_created_id_idx` from the
    range's end (or the cursor) that stops after the page, whatever the range's size and place in the year. Its
    cursor carries the last row's moment and id."""
    invoices = filtered(workspace, filters)
    if cursor:
        moment, pk = decode_moment_cursor(cursor)
        invoices = invoices.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    rows = [
        InvoiceRow(row)
        for row in invoices.order_by("-created_at", "-pk").values(*INVOICE_COLUMNS)[: limit + 1]
    ]
    return cut_page(rows, limit, lambda last: encode_moment_cursor(last["created_at"], last["id"]))
