"""A page of the POS invoice list by compiled statements (`workspaces.statements`): the list's shapes (any of its
filters, a cursor or not, a limit) each compiled once per process, so a till's refresh does not build and compile
the same SQL again. Newest first by id; a date range by `(created_at, id)`, a walk of `pos_invoice_created_id_idx`
from the range's end (or the cursor) that stops after the page, whatever the range's size and place in the year.

With `json` (a `workspaces.json_sql` expression: PostgreSQL) the statement also writes each row's answer: the page's
ids are chosen first, from the filter's covering index, and the text written for those rows alone."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connection, router
from django.db.models import Expression, Q, QuerySet
from django.db.models.expressions import RawSQL

from pos.models import PosInvoice
from pos.selectors import FILTER_LOOKUPS, INVOICE_COLUMNS, InvoiceFilters, InvoiceRow, filtered
from workspaces.api.pagination import (
    cut_page,
    decode_cursor,
    decode_moment_cursor,
    encode_cursor,
    encode_moment_cursor,
)
from workspaces.models import Workspace
from workspaces.statements import CompiledRead

_RANGE = {"created_from", "created_to"}
_COMPILED_FILTERS = {"client_id", "status", "order_status_id", "session_id", *_RANGE}


def _as_is(value: Any) -> Any:
    return value


def _moment(value: Any) -> RawSQL:
    """A moment as a compiled statement's parameter (PostgreSQL): sent as given (the sentinel while compiling)."""
    return RawSQL("%s::timestamptz", [value])


def _ordered(
    invoices: QuerySet[PosInvoice], *, ranged: bool, after: Any, moment=_as_is
) -> QuerySet[PosInvoice]:
    """Newest first, after the cursor's row: by id, or in a date range by `(created_at, id)`."""
    if not ranged:
        return (invoices if after is None else invoices.filter(pk__lt=after)).order_by("-pk")
    if after is not None:
        at, pk = moment(after[0]), after[1]
        invoices = invoices.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    return invoices.order_by("-created_at", "-pk")


def _page_of(invoices: QuerySet[PosInvoice], size: int, json: Expression | None) -> QuerySet[PosInvoice]:
    """The first `size` rows: their `INVOICE_COLUMNS`, or with `json` their `id`, `created_at` and answer's text,
    written for those rows alone (a sort by the filter's order would otherwise write the text of each row sorted)."""
    if json is None:
        return invoices.values(*INVOICE_COLUMNS)[:size]
    chosen = PosInvoice.objects.filter(pk__in=invoices.values("pk")[:size])
    return chosen.order_by(*invoices.query.order_by).annotate(json=json).values("id", "created_at", "json")


@lru_cache(maxsize=256)  # shapes: the filters given, a range or not, a cursor or not, the limit, the columns
def _page_read(
    filter_names: tuple[str, ...], ranged: bool, after_cursor: bool, size: int, json: Expression | None
) -> CompiledRead:
    moment = _moment if ranged else _as_is

    def build(**values: Any) -> QuerySet[PosInvoice]:
        invoices = PosInvoice.objects.filter(
            workspace_id=values["workspace_id"],
            **{
                FILTER_LOOKUPS[name]: moment(values[name]) if name in _RANGE else values[name]
                for name in filter_names
            },
        )
        after = None
        if after_cursor:
            after = (values["after_moment"], values["after_id"]) if ranged else values["after_id"]
        return _page_of(_ordered(invoices, ranged=ranged, after=after, moment=moment), size, json)

    return CompiledRead(build)


def invoice_page(
    *,
    workspace: Workspace,
    filters: InvoiceFilters,
    limit: int,
    cursor: str | None,
    json: Expression | None = None,
) -> tuple[list[InvoiceRow], str | None]:
    """The page newest first (`limit` rows after `cursor`) and the next page's cursor, as
    `workspaces.api.pagination.paginate` cuts it: one query, the page plus one row. A date range's cursor carries
    the last row's moment and id. `json`: see the module."""
    ranged = bool(_RANGE & filters.keys())
    after = None
    if cursor:
        after = decode_moment_cursor(cursor) if ranged else decode_cursor(cursor)
    # A range's moments are compiled parameters on PostgreSQL only (`_moment`).
    if filters.keys() <= _COMPILED_FILTERS and (not ranged or connection.vendor == "postgresql"):
        read = _page_read(tuple(sorted(filters)), ranged, after is not None, limit + 1, json)
        extra = {}
        if after is not None:
            extra = {"after_moment": after[0], "after_id": after[1]} if ranged else {"after_id": after}
        using = router.db_for_read(PosInvoice)  # the replica where the view allows it, as the ORM's reads
        rows = [InvoiceRow(row) for row in read.dicts(using, workspace_id=workspace.pk, **filters, **extra)]
    else:
        invoices = _ordered(filtered(workspace, filters), ranged=ranged, after=after)
        rows = [InvoiceRow(row) for row in _page_of(invoices, limit + 1, json)]
    if ranged:
        return cut_page(rows, limit, lambda last: encode_moment_cursor(last["created_at"], last["id"]))
    return cut_page(rows, limit, lambda last: encode_cursor(last["id"]))
