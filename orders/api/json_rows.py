"""The `/orders` and `/invoices` lists' answers written by PostgreSQL (`workspaces.json_sql`), as the POS list's.

A page of a hundred orders or invoices rendered by the DRF serializers costs ~3x a single order's GET, almost all
of it a dict per row and per line in Python. Here the page is one statement (two: see below): the page's ids are
chosen first from the list's index (`order_list_idx`, `order_invoice_list_idx`, `order_invoice_order_idx`), then
each of those rows' JSON text is written with its lines and, for an invoice, its ZATCA document: byte for byte what
`OrderOutputSerializer` / `OrderInvoiceOutputSerializer` and the renderer write (tests/orders/test_json_rows.py).

JSON columns (`metaFields`, a line's `taxIds`, a ZATCA document's `errors` and `warnings`) are read by Python as
jsonb writes them, so their keys come in jsonb's order either way; PostgreSQL writes them compact only where that is
exact: no number with a decimal point (Python reads it as a float and writes its shortest form, `0.10` as `0.1`),
tax ids that are integers or texts. A row holding anything else gets no text (NULL) and is rendered in Python, by
the serializer, in a second statement (`python_rows` in the view): such rows cost what they cost before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import router
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    When,
)
from django.db.models.functions import Coalesce
from orjson import Fragment

from invoicing.zatca.models import ZatcaDocument
from orders.models import Order, OrderInvoice, OrderInvoiceLine, OrderLineItem
from orders.zatca import SOURCE as ZATCA_SOURCE
from workspaces import json_sql as j
from workspaces.api.pagination import cut_page, decode_cursor, encode_cursor
from workspaces.api.renderers import dumps
from workspaces.models import ActorType
from workspaces.statements import CompiledRead

_TEXT = TextField()
# A JSON string as jsonb writes it (escapes included); anything else outside strings is punctuation or a number.
_STRING = r'"(?:[^"\\]|\\.)*"'
_NOT_STRING = '[^".]'  # nor a number's decimal point


def json_value(column: str) -> Func:
    """A jsonb column as the renderer writes what Python reads from it: jsonb's text without the blanks after its
    `,` and `:` (blanks inside strings kept); NULL (Python's) where it holds a number with a decimal point or is not
    an array (`ListField` would iterate an object's keys). `column` is a plain column: it is written three times."""
    return Func(
        F(column),
        template=(
            "CASE WHEN %(expressions)s = '[]'::jsonb THEN '[]' "
            "WHEN jsonb_typeof(%(expressions)s) = 'array' "
            f"AND (%(expressions)s)::text ~ '^(?:{_NOT_STRING}|{_STRING})*$' "
            rf"THEN regexp_replace((%(expressions)s)::text, '({_STRING})| ', '\1', 'g') END"
        ),
        output_field=_TEXT,
    )


def _tax_ids(column: str) -> Func:
    """`OrderLineOutputSerializer.get_taxIds`: `[str(tax["id"]) ...]` in the snapshot's order; NULL (Python's) unless
    every tax is an object whose id is a text or an integer (`str` of anything else may differ from jsonb's text)."""
    return Func(
        F(column),
        template=(
            "CASE WHEN %(expressions)s = '[]'::jsonb THEN '[]' "
            "WHEN jsonb_typeof(%(expressions)s) = 'array' THEN (SELECT CASE WHEN bool_and(COALESCE("
            "jsonb_typeof(tax.value -> 'id') = 'string' OR (jsonb_typeof(tax.value -> 'id') = 'number' "
            "AND tax.value ->> 'id' ~ '^-?[0-9]+$'), false)) "
            "THEN '[' || string_agg(to_json(tax.value ->> 'id')::text, ',' ORDER BY tax.ordinality) || ']' END "
            "FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS tax) END"
        ),
        output_field=_TEXT,
    )


class _WithOptionalKey(Func):
    """`head` (an object's text) with `,"key":value` before its closing brace where `value` (a scalar subquery)
    found a row, as it is where none did (the serializer drops a null `zatca`). A row found whose text is ''
    (not writable) leaves the whole answer NULL, for Python to write. `OFFSET 0` keeps the planner from copying the
    subquery into each branch: it runs once."""

    output_field = _TEXT

    def __init__(self, head: Expression, key: str, value: Expression) -> None:
        self.key = key
        super().__init__(head, value)

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        head, value = self.get_source_expressions()
        head_sql, head_params = compiler.compile(head)
        value_sql, value_params = compiler.compile(value)
        sql = (
            f"(left({head_sql}, -1) || (SELECT CASE WHEN optional.value IS NULL THEN '}}' "
            f"WHEN optional.value <> '' THEN ',\"{self.key}\":' || optional.value || '}}' END "
            f"FROM (SELECT {value_sql} AS value OFFSET 0) AS optional))"
        )
        return sql, [*head_params, *value_params]


_ORDER_LINE = j.obj(
    ("id", j.id_text(F("pk"))),
    ("productId", j.id_text(F("product_id"))),
    ("name", j.text(F("name"))),
    ("quantity", j.number(F("quantity"))),
    ("unitPrice", j.number(F("unit_price"))),
    ("discount", j.number(F("discount"))),
    ("taxIds", _tax_ids("taxes")),
    ("invoicedQuantity", j.number(F("invoiced_quantity"))),
)

ORDER_JSON = j.obj(
    ("id", j.id_text(F("pk"))),
    ("entityId", j.id_text(F("workspace_id"))),
    ("clientId", j.id_text(F("client_id"))),
    ("storeId", j.id_text(F("store_id"))),
    ("status", j.text(F("status"))),
    (
        "lineItems",
        j.array(
            OrderLineItem.objects.filter(order_id=OuterRef("pk")).order_by("pk").values_list(_ORDER_LINE)
        ),
    ),
    ("total", j.number(F("total"))),
    ("metaFields", json_value("meta_fields")),
    ("createdAt", j.moment(F("created_at"))),
    ("updatedAt", j.moment(F("updated_at"))),
)

_INVOICE_LINE = j.obj(
    ("lineItemId", j.id_text(F("line_item_id"))),
    ("quantity", j.number(F("quantity"))),
    ("id", j.id_text(F("pk"))),
)


def _creator(id_column: str, name_column: str) -> Func:
    """`orders.api.serializers.created_by`: id and name null once the user or the key is gone (SET_NULL)."""
    return j.obj(("id", j.id_text(F(id_column))), ("name", j.text(F(name_column))), ("type", _KIND))


_KIND = Case(When(created_by_type=ActorType.STAFF, then=j.literal('"staff"')), default=j.literal('"admin"'))
_CREATED_BY = Case(
    When(
        created_by_type=ActorType.API_KEY, then=_creator("created_by_api_key_id", "created_by_api_key__name")
    ),
    default=_creator("created_by_id", "created_by__name"),
)
# `invoicing.zatca.reads.summary`; '' where its errors or warnings cannot be written here (`_WithOptionalKey`).
_ZATCA = Coalesce(
    j.obj(
        ("kind", j.text(F("kind"))),
        ("status", j.text(F("status"))),
        ("uuid", j.text(F("uuid"))),
        ("icv", j.number(F("icv"))),
        ("hash", j.text(F("hash"))),
        ("qr", j.text(F("qr"))),
        ("errors", json_value("errors")),
        ("warnings", json_value("warnings")),
    ),
    j.literal(""),
)
_DOCUMENT = ZatcaDocument.objects.filter(
    source_type=ZATCA_SOURCE, source_id=OuterRef("pk"), workspace_id=OuterRef("workspace_id")
).values_list(_ZATCA)

INVOICE_JSON = _WithOptionalKey(
    j.obj(
        ("order", j.id_text(F("order_id"))),
        ("entityId", j.id_text(F("workspace_id"))),
        (
            "lineItems",
            j.array(
                OrderInvoiceLine.objects.filter(invoice_id=OuterRef("pk"))
                .order_by("pk")
                .values_list(_INVOICE_LINE)
            ),
        ),
        ("total", j.number(F("total"))),
        ("createdBy", _CREATED_BY),
        ("metaFields", json_value("meta_fields")),
        ("createdAt", j.moment(F("created_at"))),
        ("updatedAt", j.moment(F("updated_at"))),
        ("id", j.id_text(F("pk"))),
    ),
    "zatca",
    Subquery(_DOCUMENT, output_field=_TEXT),
)


@lru_cache(maxsize=64)  # shapes: orders or invoices, one order's or not, a cursor or not, the page's size
def _page_read(
    model: type[Order | OrderInvoice], by_order: bool, after_cursor: bool, size: int
) -> CompiledRead:
    json = ORDER_JSON if model is Order else INVOICE_JSON

    def build(**values: Any) -> QuerySet:
        rows = model.objects.filter(workspace_id=values["workspace_id"])
        if by_order:
            rows = rows.filter(order_id=values["order_id"])
        if after_cursor:
            rows = rows.filter(pk__lt=values["after_id"])
        # `id = ANY(ARRAY(...))`: the page's ids read first, then each row by its key, whatever the table's size
        # (an `IN (subquery)` may be planned as a scan of the whole table hashed against the ids).
        ids = ArraySubquery(rows.order_by("-pk").values("pk")[:size])
        chosen = model.objects.filter(
            Func(F("pk"), ids, template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField())
        )
        return chosen.order_by("-pk").annotate(json=json).values("id", "json")

    return CompiledRead(build)


def page(
    model: type[Order | OrderInvoice],
    *,
    workspace_id: int,
    limit: int,
    cursor: str | None,
    order_id: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The page newest first (`limit` rows after `cursor`) as `workspaces.api.pagination.paginate` cuts it, each
    row `{"id", "json"}` (`json` None: for Python to write, see the module), and the next page's cursor."""
    values = {"workspace_id": workspace_id}
    if order_id is not None:
        values["order_id"] = order_id
    if cursor:
        values["after_id"] = decode_cursor(cursor)
    read = _page_read(model, order_id is not None, bool(cursor), limit + 1)
    rows = read.dicts(using=router.db_for_read(model), **values)
    return cut_page(rows, limit, lambda last: encode_cursor(last["id"]))


def fragments(rows: list[dict[str, Any]], python: Callable[[list[int]], dict[int, Any]]) -> list[Fragment]:
    """The page's answers in its order, as the renderer writes them: the database's texts, and the rows it left
    to Python written by `python` (their ids -> their serializer's data) in one read."""
    missing = [row["id"] for row in rows if row["json"] is None]
    written = {pk: dumps(data) for pk, data in python(missing).items()} if missing else {}
    return [Fragment(row["json"] if row["json"] is not None else written[row["id"]]) for row in rows]
