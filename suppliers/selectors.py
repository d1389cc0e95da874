"""Supplier reads: querysets scoped to one workspace, the aging report and the "today" figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypedDict

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    DecimalField,
    Expression,
    F,
    Func,
    Max,
    Min,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains, GreaterThanOrEqual, LessThanOrEqual, PatternLookup

from suppliers.models import Supplier, SupplierInvoice, SupplierPayment, normalise_invoice_number
from workspaces.models import Workspace

ZERO = Decimal(0)
BUCKETS = ("notDue", "days1to30", "days31to60", "days61to90", "over90")


def supplier_list(*, workspace: Workspace) -> QuerySet[Supplier]:
    return Supplier.objects.filter(workspace=workspace)


class InvoiceFilters(TypedDict, total=False):
    supplier_id: int
    status: str
    issue_date_from: dt.date
    issue_date_to: dt.date
    due_date_from: dt.date
    due_date_to: dt.date
    overdue: bool
    q: str


def overdue_q(today: dt.date | Expression) -> Q:
    """Money remains and the workspace's today is after the due date (no due date: never overdue)."""
    return Q(remaining_amount__gt=0, due_date__lt=today)


def _id_bound(rows: QuerySet[SupplierInvoice], bound: type[Max] | type[Min]) -> Subquery:
    # Grouped by workspace, so that PostgreSQL reads the range's index for it rather than walking the primary key
    # to the first match (its MIN/MAX rewrite into ORDER BY id LIMIT 1 bets on an even spread of the rows).
    return Subquery(rows.order_by().values("workspace").annotate(bound=bound("pk")).values("bound"))


def _walk_within(
    invoices: QuerySet[SupplierInvoice], least: Expression, greatest: Expression
) -> QuerySet[SupplierInvoice]:
    """`invoices`, confined to the ids between the least and the greatest of a date range or of the overdue ones
    (`_id_bound`, `_DayProbedBound`): the same rows, but a page walks the primary key (the list's order) from the
    range's newest id down to its oldest, not from the table's newest. Without it, PostgreSQL bets the range is
    spread evenly over the ids and walks every later invoice to reach an early range (194,076 rows read for a page
    of three days in January, 200 ms at 200,000 invoices)."""
    return invoices.filter(pk__gte=least, pk__lte=greatest)


# Probe by day when the range holds more than this many invoices a day on average. Measured on PostgreSQL 15
# (h7bench): a probe ~6.5 us, an index entry ~0.12 us, so the probes win above ~55 invoices a day; the threshold is
# lower so that its own test (up to this many entries a day per bound) stays a fraction of the probes' cost. Between
# 16 and ~55 a day the probes cost up to ~13 us a day more than the Min/Max (a quarter: about 1 ms).
_PROBE_DENSITY = 16
# ... and spans at most this many days (ten years): probing costs ~7 us a day, and past that the range is most of
# the table, which the Min/Max reads as well.
_PROBE_DAYS = 3660


class _DayProbedBound(Expression):
    """The least (or greatest) id of the workspace's invoices whose `field` (`issue_date`, `due_date`) lies in
    [`date_from`, `date_to`], each a day or a SQL expression (a compiled statement's parameter); no `date_from`:
    from the workspace's first. Elsewhere than PostgreSQL: `_id_bound`, a `Min`/`Max` of the range's index entries.

    On PostgreSQL, a dense range reads one entry per day instead, the first (last) id of each day from the index
    `(workspace, field, id)`: at 1,000,000 rows (h7bench, 550 supplier invoices a day) a page of the first quarter
    takes 2.5 ms instead of 18 ms (its 50,000 entries read twice), of a year 9 ms instead of 110 ms. A sparse
    range (fewer than `_PROBE_DENSITY` invoices a day: most workspaces, or one reaching far before the first
    invoice) keeps the `Min`/`Max`, cheaper than a probe per empty day; the test (an `EXISTS` at that offset in the
    range's entries) reads at most that many entries a day. Each branch is an InitPlan: only the chosen one runs.
    The same value either way (tests/suppliers/test_range_bounds.py)."""

    def __init__(
        self,
        field: str,
        workspace_id: Any,
        date_from: dt.date | Expression | None,
        date_to: dt.date | Expression,
        greatest: bool,
    ) -> None:
        super().__init__(output_field=BigIntegerField())
        self.date_field = field
        self.greatest = greatest
        bounds = {f"{field}__lte": date_to}
        if date_from is not None:
            bounds[f"{field}__gte"] = date_from
        rows = SupplierInvoice.objects.filter(workspace_id=workspace_id, **bounds)
        self.fallback: Expression = _id_bound(rows, Max if greatest else Min)
        self.workspace_id: Expression = Value(workspace_id)
        self.date_from = None if date_from is None else _as_date(date_from)
        self.date_to = _as_date(date_to)

    def get_source_expressions(self) -> list[Any]:
        return [self.fallback, self.workspace_id, self.date_from, self.date_to]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.fallback, self.workspace_id, self.date_from, self.date_to = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return compiler.compile(self.fallback)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        quote = connection.ops.quote_name
        meta = SupplierInvoice._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        column, workspace = (
            quote(meta.get_field(self.date_field).column),
            quote(meta.get_field("workspace").column),
        )
        params: list[Any] = []

        def sql(*pieces: str | Expression) -> str:
            """The pieces joined, each expression compiled in place (its parameters in the order of the text)."""
            text = []
            for piece in pieces:
                if isinstance(piece, str):
                    text.append(piece)
                else:
                    piece_sql, piece_params = compiler.compile(piece)
                    text.append(f"({piece_sql})")
                    params.extend(piece_params)
            return "".join(text)

        def start() -> str:
            if self.date_from is not None:
                return sql(self.date_from, "::date")
            return sql(
                f"(SELECT min(f.{column}) FROM {table} f WHERE f.{workspace} = ", self.workspace_id, ")"
            )

        # Probed only over at most `_PROBE_DAYS` days: a wider range (`0001-01-02` to `9999-12-30`) would have its
        # density test read every entry of the range twice before the Min/Max read them again.
        narrow = f"({sql(self.date_to, '::date')} - {start()} + 1) <= {_PROBE_DAYS}"
        in_range = (
            f"FROM {table} r WHERE r.{workspace} = {sql(self.workspace_id)} AND r.{column} >= {start()}"
            f" AND r.{column} <= {sql(self.date_to, '::date')}"
        )
        dense = (
            f"EXISTS (SELECT 1 {in_range} OFFSET GREATEST({_PROBE_DENSITY}::bigint * "
            f"({sql(self.date_to, '::date')} - {start()} + 1), 0) LIMIT 1)"
        )
        aggregate, order = ("max", "DESC") if self.greatest else ("min", "ASC")
        probed = (
            f"(SELECT {aggregate}(p.{pk}) FROM generate_series({start()}, {sql(self.date_to, '::date')}, "
            f"interval '1 day') AS d(day), LATERAL (SELECT e.{pk} FROM {table} e WHERE e.{workspace} = "
            f"{sql(self.workspace_id)} AND e.{column} = d.day::date ORDER BY e.{pk} {order} LIMIT 1) AS p)"
        )
        # The parameters were collected in the order of the text: `narrow`, `dense` (`in_range` first), `probed`,
        # the fallback. A CASE evaluates a branch only when it is reached: the density test only for a narrow range.
        return (
            f"CASE WHEN (CASE WHEN {narrow} THEN {dense} ELSE false END) THEN {probed} ELSE {sql(self.fallback)} END",
            params,
        )


class _FilterOnly(Func):
    """A walked range's column in the walk's conditions: on PostgreSQL `(column + 0)`, the same date but no index's,
    so that the walk is the primary key's between the bounds in every plan. A prepared statement (psycopg prepares a
    compiled page from its 2nd run) gets PostgreSQL's generic plan after 5 runs, blind to the dates: it read the
    whole range from `(workspace, issue_date, id)` and sorted it (a quarter: 49,864 entries, 15-24 ms against
    2.5 ms). The range's own reads (`_DayProbedBound`) keep the index."""

    template = "%(expressions)s"
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + 0)", list(params)


def _as_date(value: dt.date | Expression) -> Expression:
    return value if isinstance(value, Expression) else Value(value, output_field=DateField())


def invoice_list(
    *, workspace: Workspace, today: dt.date | Expression, filters: InvoiceFilters | None = None
) -> QuerySet[SupplierInvoice]:
    """Every filter of section 6, each on an indexed column; `today` is the workspace's (for `overdue`). `q` costs
    one query more (the suppliers whose name matches), run here. `today` and the dates of `filters` may be SQL
    parameters (`suppliers.api.json_rows` compiles the list once per shape, with `q` left out)."""
    filters = filters or {}
    invoices = SupplierInvoice.objects.filter(workspace=workspace)
    lookups = {
        "supplier_id": "supplier_id",
        "status": "status",
        "issue_date_from": "issue_date__gte",
        "issue_date_to": "issue_date__lte",
        "due_date_from": "due_date__gte",
        "due_date_to": "due_date__lte",
    }
    walked = {field for field in ("issue_date", "due_date") if f"{field}_to" in filters}
    plain = {k: v for k, v in filters.items() if k in lookups and k.rsplit("_", 1)[0] not in walked}
    invoices = invoices.filter(**{lookups[k]: v for k, v in plain.items()})
    if "overdue" in filters:
        invoices = (
            invoices.filter(overdue_q(today)) if filters["overdue"] else invoices.exclude(overdue_q(today))
        )
    # A range that ends in the past bounds the walk (`_walk_within`); one open towards today starts at the newest.
    for field in ("issue_date", "due_date"):
        if field in walked:
            column = _FilterOnly(F(field))
            invoices = invoices.filter(LessThanOrEqual(column, filters[f"{field}_to"]))
            if f"{field}_from" in filters:
                invoices = invoices.filter(GreaterThanOrEqual(column, filters[f"{field}_from"]))
            bound = {
                "field": field,
                "workspace_id": workspace.pk,
                "date_from": filters.get(f"{field}_from"),
                "date_to": filters[f"{field}_to"],
            }
            least, greatest = (
                _DayProbedBound(**bound, greatest=False),
                _DayProbedBound(**bound, greatest=True),
            )
            invoices = _walk_within(invoices, least, greatest)
    if filters.get("overdue"):
        overdue = SupplierInvoice.objects.filter(overdue_q(today), workspace=workspace)
        invoices = _walk_within(invoices, _id_bound(overdue, Min), _id_bound(overdue, Max))
    if filters.get("q"):
        text = filters["q"].strip()
        # The suppliers whose name matches, first (one small query): a join in the OR would make PostgreSQL read
        # every invoice, while three conditions on the invoice's own columns are a BitmapOr of the trigram indexes
        # (suppliers migration 0004) and of (workspace, supplier, -id). An `InitPlan` of the suppliers' ids in the
        # OR (one query less) was measured: the planner cannot see how many match and walks the primary key
        # (445 ms for `batch 12345`, 157 ms for `sup-19999`, against 5 ms).
        patterns = search_patterns(text)
        supplier_ids = list(search_suppliers(workspace.pk, patterns["text"]).values_list("pk", flat=True))
        invoices = invoices.filter(search_q(patterns, supplier_ids))
    return invoices


class ContainsPattern(Contains):
    """`contains` given its finished pattern (`search_patterns`): the SQL Django writes for `contains`, with the
    pattern one parameter as given, so that a compiled statement (`suppliers.api.json_rows`) can send it."""

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return super(PatternLookup, self).process_rhs(compiler, connection)


class IContainsPattern(ContainsPattern):
    lookup_name = "icontains"  # `icontains`'s SQL (`UPPER(...) LIKE UPPER(%s)` on PostgreSQL)


def search_patterns(text: str) -> dict[str, str]:
    """`q`'s LIKE patterns, as Django's `contains` / `icontains` write them: the invoice number's (normalised) and
    the description's and supplier name's, each `%text%` with `\\`, `%` and `_` escaped."""
    escape = connection.ops.prep_for_like_query
    return {"number": f"%{escape(normalise_invoice_number(text))}%", "text": f"%{escape(text)}%"}


def search_suppliers(workspace_id: Any, pattern: Any) -> QuerySet[Supplier]:
    """The workspace's suppliers whose name matches `q`'s pattern (`search_patterns(...)["text"]`)."""
    return Supplier.objects.filter(IContainsPattern(F("name"), pattern), workspace_id=workspace_id)


def search_q(patterns: dict[str, Any], supplier_ids: list[Any]) -> Q:
    """`q`'s condition on the invoice's own columns: its number or description contains the text, or its supplier
    is one of `supplier_ids` (those whose name contains it). An empty list drops that branch, as `__in=[]` does."""
    condition = Q(ContainsPattern(F("invoice_number_normalised"), patterns["number"])) | Q(
        IContainsPattern(F("description"), patterns["text"])
    )
    return condition | Q(supplier_id__in=supplier_ids) if supplier_ids else condition


def invoice_get(*, workspace: Workspace, supplier_id: int, invoice_id: int) -> SupplierInvoice | None:
    return SupplierInvoice.objects.filter(workspace=workspace, supplier_id=supplier_id, pk=invoice_id).first()


def payment_list(*, invoice: SupplierInvoice) -> QuerySet[SupplierPayment]:
    return SupplierPayment.objects.filter(workspace_id=invoice.workspace_id, invoice=invoice)


def overdue_summary(*, workspace: Workspace, today: dt.date) -> dict[str, Any]:
    """The number of overdue invoices and the sum still owed on them (the admin's "Today")."""
    row = SupplierInvoice.objects.filter(overdue_q(today), workspace=workspace).aggregate(
        count=Count("pk"), total=Sum("remaining_amount")
    )
    return {"count": row["count"], "total": row["total"] or ZERO}


def _bucket_sum(condition: Q) -> Coalesce:
    money = DecimalField(max_digits=18, decimal_places=3)
    return Coalesce(Sum("invoices__remaining_amount", filter=condition), Value(ZERO), output_field=money)


def aging_buckets(as_of: dt.date) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """Each aging bucket's due dates on `as_of`, `(from, before)` (None: open): not due (due on or after `as_of`,
    and no due date: the bucket open at its end takes those), 1-30, 31-60, 61-90, over 90 days past due. The one
    rule of the report, for the ORM (`aging`) and for its SQL (`suppliers.api.aging_json`)."""
    days = [as_of - dt.timedelta(days=n) for n in (30, 60, 90)]
    return {
        "notDue": (as_of, None),
        "days1to30": (days[0], as_of),
        "days31to60": (days[1], days[0]),
        "days61to90": (days[2], days[1]),
        "over90": (None, days[2]),
    }


def _due_within(bounds: tuple[dt.date | None, dt.date | None]) -> Q:
    start, before = bounds
    due = "invoices__due_date"
    condition = Q(**({f"{due}__gte": start} if start else {})) & Q(
        **({f"{due}__lt": before} if before else {})
    )
    return condition | Q(**{f"{due}__isnull": True}) if before is None else condition


def aging(*, workspace: Workspace, as_of: dt.date) -> dict[str, Any]:
    """Remaining amounts per supplier by days past due on `as_of` (`aging_buckets`). Invoices issued after `as_of`
    are left out; one grouped query."""
    conditions = {name: _due_within(bounds) for name, bounds in aging_buckets(as_of).items()}
    # Grouped by the supplier (its primary key): PostgreSQL sums the open invoices (an index-only read of
    # `supplier_invoice_open_idx`) per supplier in a hash, then sorts the suppliers by name, not every invoice.
    rows = (
        Supplier.objects.filter(
            workspace=workspace,
            invoices__workspace=workspace,
            invoices__remaining_amount__gt=0,
            invoices__issue_date__lte=as_of,
        )
        .values("pk", "name")
        .annotate(**{name: _bucket_sum(condition) for name, condition in conditions.items()})
        .order_by("name", "pk")
    )
    suppliers = []
    totals = dict.fromkeys(BUCKETS, ZERO)
    for row in rows:
        buckets = {name: row[name] for name in BUCKETS}
        for name in BUCKETS:
            totals[name] += buckets[name]
        suppliers.append(
            {
                "supplierId": str(row["pk"]),
                "name": row["name"],
                **buckets,
                "total": sum(buckets.values(), ZERO),
            }
        )
    return {
        "asOf": as_of,
        "currency": workspace.currency,
        "suppliers": suppliers,
        "totals": {**totals, "total": sum(totals.values(), ZERO)},
    }
