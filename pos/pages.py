"""A page of the POS invoice list by compiled statements (`workspaces.statements`): the list's shapes (any of its
filters, a cursor or not, a limit) each compiled once per process, so a till's refresh does not build and compile
the same SQL again. Newest first by id; a date range by `(created_at, id)`, a walk of `pos_invoice_created_id_idx`
from the range's end (or the cursor) that stops after the page, whatever the range's size and place in the year.

With `json` (a `workspaces.json_sql` expression: PostgreSQL) the statement also writes each row's answer: the page's
ids are chosen first, from the filter's covering index, and the text written for those rows alone."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db import connection, router
from django.db.models import BigIntegerField, DecimalField, Expression, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

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


# A row's `created_at` in microseconds since the epoch, exactly: a date range's cursor needs the page's last one
# only, and 100 moments converted to aware datetimes cost ~1 ms of a page's Python (1,000 integers, ~0.05 ms).
# (EXTRACT of the timestamptz itself: `Extract` would convert it to the current time zone first.)
_MICROS = Cast(
    Func(F("created_at"), template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=DecimalField())
    * Value(1_000_000),
    BigIntegerField(),
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _page_of(
    invoices: QuerySet[PosInvoice], size: int, json: Expression | None, *, ranged: bool
) -> QuerySet[PosInvoice]:
    """The first `size` rows: their `INVOICE_COLUMNS`, or with `json` their `id` and answer's text (and in a date
    range the moment of the cursor, `micros`), written for those rows alone (a sort by the filter's order would
    otherwise write the text of each row sorted)."""
    if json is None:
        return invoices.values(*INVOICE_COLUMNS)[:size]
    chosen = PosInvoice.objects.filter(pk__in=invoices.values("pk")[:size])
    chosen = chosen.order_by(*invoices.query.order_by).annotate(json=json)
    return (
        chosen.annotate(micros=_MICROS).values("id", "json", "micros")
        if ranged
        else chosen.values("id", "json")
    )


def _moment_of(row: InvoiceRow) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=row["micros"]) if "micros" in row else row["created_at"]


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
        return _page_of(
            _ordered(invoices, ranged=ranged, after=after, moment=moment), size, json, ranged=ranged
        )

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
        rows = [InvoiceRow(row) for row in _page_of(invoices, limit + 1, json, ranged=ranged)]
    if ranged:
        return cut_page(rows, limit, lambda last: encode_moment_cursor(_moment_of(last), last["id"]))
    return cut_page(rows, limit, lambda last: encode_cursor(last["id"]))
