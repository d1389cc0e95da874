"""A page of the POS invoice list by compiled statements (`workspaces.statements`): the list's common shapes (any
of the id and status filters, a cursor or not, a limit) each compiled once per process, so a till's refresh does not
build and compile the same SQL again. A date range goes through `selectors.invoice_rows`, which bounds it first."""

from __future__ import annotations

from functools import lru_cache

from pos.models import PosInvoice
from pos.selectors import FILTER_LOOKUPS, INVOICE_COLUMNS, InvoiceFilters, InvoiceRow, invoice_rows
from workspaces.api.pagination import encode_cursor
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
    *, workspace: Workspace, filters: InvoiceFilters, limit: int, before_id: int | None
) -> tuple[list[InvoiceRow], str | None]:
    """The page newest first (`limit` rows, invoices before `before_id`) and the next page's cursor, as
    `workspaces.api.pagination.paginate` cuts it: one query, the page plus one row."""
    if not filters.keys() <= _COMPILED_FILTERS:
        invoices = invoice_rows(workspace=workspace, filters=filters).order_by("-pk")
        if before_id is not None:
            invoices = invoices.filter(pk__lt=before_id)
        rows = list(invoices[: limit + 1])
    else:
        read = _page_read(tuple(sorted(filters)), before_id is not None, limit + 1)
        extra = {"before_id": before_id} if before_id is not None else {}
        rows = [InvoiceRow(row) for row in read.dicts(workspace_id=workspace.pk, **filters, **extra)]
    if len(rows) > limit:
        return rows[:limit], encode_cursor(rows[limit - 1]["id"])
    return rows, None
