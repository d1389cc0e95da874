"""A supplier invoice's answer (`SupplierInvoiceOutputSerializer`) written by PostgreSQL (`workspaces.json_sql`),
and the invoice lists' page that selects it: the page's ids are chosen first, by the filters, ordering and cursor
of `suppliers.selectors.invoice_list` and `workspaces.api.pagination.paginate`, then the text is written for those
rows alone, in the same one statement. Byte for byte what the serializer and the renderer write
(tests/suppliers/test_json_rows.py); every field can be written so, none stays in Python.

Each shape of the list (the filters given, `overdue`'s value, a cursor or not, the limit) is compiled once per
process (`workspaces.statements.CompiledRead`): Django's compile of the list's SQL with its 17 values costs more
than PostgreSQL's answer. The workspace's today is a parameter, never frozen in it (`isOverdue`, `overdue`). A
search (`q`) reads the matching suppliers first, a list of any length: that shape's query is built per request,
around the answer's SQL compiled once (`_answer`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db import router
from django.db.models import Case, Expression, F, Q, QuerySet, TextField, When
from django.db.models.expressions import RawSQL

from suppliers import selectors
from suppliers.models import SupplierInvoice
from workspaces import json_sql as j
from workspaces.api.pagination import cut_page, encode_cursor
from workspaces.models import Workspace
from workspaces.statements import CompiledRead

_DATES = {"issue_date_from", "issue_date_to", "due_date_from", "due_date_to"}
_COMPILED_FILTERS = {"supplier_id", "status", "overdue", *_DATES}


def invoice_json(today: dt.date | Expression) -> j.JsonObject:
    """`SupplierInvoiceOutputSerializer`'s keys in its order; `isOverdue` as its `get_isOverdue` against `today`
    (a compiled statement's parameter, or the day itself)."""
    overdue = Q(remaining_amount__gt=0, due_date__isnull=False, due_date__lt=today)
    return j.obj(
        ("id", j.id_text(F("pk"))),
        ("workspaceId", j.id_text(F("workspace_id"))),
        ("supplierId", j.id_text(F("supplier_id"))),
        ("invoiceNumber", j.text(F("invoice_number"))),
        ("totalAmount", j.number(F("total_amount"))),
        ("paidAmount", j.number(F("paid_amount"))),
        ("remainingAmount", j.number(F("remaining_amount"))),
        ("status", j.text(F("status"))),
        ("issueDate", j.midnight(F("issue_date"))),
        ("dueDate", j.midnight(F("due_date"))),
        ("description", j.text(F("description"))),
        ("notes", j.text(F("notes"))),
        ("imageUrl", j.text(F("image_url"))),
        ("currency", j.text(F("currency"))),
        ("isOverdue", Case(When(overdue, then=j.literal("true")), default=j.literal("false"))),
        ("createdAt", j.moment(F("created_at"))),
        ("updatedAt", j.moment(F("updated_at"))),
    )


def _day(value: Any) -> RawSQL:
    """A day as a compiled statement's parameter: sent as given (the sentinel while compiling)."""
    return RawSQL("%s::date", [value])


# Today's place among the compiled answer's parameters: no other parameter of it is this integer.
_TODAY = -(2**62)
_ANSWERS: dict[str, tuple[str, tuple[Any, ...]]] = {}


def _answer(today: dt.date, using: str) -> RawSQL:
    """`invoice_json(today)` for a query built per request, its SQL compiled once per database (about 2 ms a time
    otherwise, as much as the rest of the query's build): the columns of the outer query's row (the table's own
    name: `_page_of` aliases only the inner queries), today its parameter."""
    compiled = _ANSWERS.get(using)
    if compiled is None:
        query = SupplierInvoice.objects.annotate(json=invoice_json(_day(_TODAY))).query
        sql, params = query.get_compiler(using).compile(query.annotations["json"])
        compiled = _ANSWERS[using] = (sql, tuple(params))
    sql, params = compiled
    values = [today if isinstance(value, int) and value == _TODAY else value for value in params]
    return RawSQL(sql, values, output_field=TextField())


def _page_of(invoices: QuerySet[SupplierInvoice], size: int, json: Expression) -> QuerySet[SupplierInvoice]:
    """The first `size` rows of `invoices` (newest first): their id and answer's text, written for those rows alone."""
    chosen = SupplierInvoice.objects.filter(pk__in=invoices.order_by("-pk").values("pk")[:size])
    return chosen.order_by("-pk").annotate(json=json).values("id", "json")


# A search's suppliers (`selectors.search_suppliers`), compiled once.
_SEARCH_SUPPLIERS = CompiledRead(
    lambda workspace_id, pattern: selectors.search_suppliers(workspace_id, pattern).values_list("pk")
)


# shapes: the filters given, `overdue`'s value, a cursor or not, the limit, a search's number of suppliers
@lru_cache(maxsize=256)
def _page_read(
    filter_names: tuple[str, ...],
    overdue: bool | None,
    after_cursor: bool,
    size: int,
    suppliers: int | None = None,
) -> CompiledRead:
    """`suppliers`: a search (`q`) matching that many suppliers by name (their ids `supplier_0`...), with the
    patterns `number` and `text`; None: no search. Its condition comes last of `invoice_list`'s, as there."""

    def build(**values: Any) -> QuerySet[SupplierInvoice]:
        today = _day(values["today"])
        filters: Any = {name: _day(values[name]) if name in _DATES else values[name] for name in filter_names}
        if overdue is not None:
            filters["overdue"] = overdue
        workspace = Workspace(pk=values["workspace_id"])
        invoices = selectors.invoice_list(workspace=workspace, today=today, filters=filters)
        if suppliers is not None:
            ids = [values[f"supplier_{index}"] for index in range(suppliers)]
            invoices = invoices.filter(selectors.search_q(values, ids))
        if after_cursor:
            invoices = invoices.filter(pk__lt=values["after_id"])
        return _page_of(invoices, size, invoice_json(today))

    return CompiledRead(build)


def invoice_page(
    *,
    workspace: Workspace,
    today: dt.date,
    filters: selectors.InvoiceFilters,
    limit: int,
    after: int | None,
) -> tuple[list[Any], str | None]:
    """The page's answers as JSON texts, newest first (`limit` rows after the id `after`), and the next page's
    cursor, as `paginate` cuts it: one query, the page plus one row (a search reads its suppliers first)."""
    # The replica where the view allows it, as the ORM's own reads.
    using = router.db_for_read(SupplierInvoice)
    if filters.keys() <= _COMPILED_FILTERS | {"q"}:
        names = tuple(sorted(filters.keys() - {"overdue", "q"}))
        parameters: dict[str, Any] = {name: filters[name] for name in names}  # type: ignore[literal-required]
        suppliers = None
        if filters.get("q"):
            # `invoice_list`'s search, its suppliers read first (one query), its SQL compiled once per their count.
            patterns = selectors.search_patterns(filters["q"].strip())
            found = _SEARCH_SUPPLIERS.rows(using, workspace_id=workspace.pk, pattern=patterns["text"])
            suppliers = len(found)
            parameters.update(patterns)
            parameters.update({f"supplier_{index}": row[0] for index, row in enumerate(found)})
        read = _page_read(names, filters.get("overdue"), after is not None, limit + 1, suppliers)
        if after is not None:
            parameters["after_id"] = after
        rows = read.dicts(using, workspace_id=workspace.pk, today=today, **parameters)
    else:
        invoices = selectors.invoice_list(workspace=workspace, today=today, filters=filters)
        if after is not None:
            invoices = invoices.filter(pk__lt=after)
        rows = list(_page_of(invoices, limit + 1, _answer(today, using)).using(using))
    return cut_page(rows, limit, lambda last: encode_cursor(last["id"]))
