"""api2's invoice list rows written by PostgreSQL (`workspaces.json_sql`), as the POS and `/orders` lists'.

A page of a hundred invoices rendered by `Api2InvoicePageSerializer` cost ~2.2-2.5x a single invoice's GET at a
million rows (issue 18), almost all of it DRF's fields in Python; the page's SQL is ~1-2 ms. Here the page's
statement (`invoicing.sales_selectors`, `json=`) also writes each row's `{"Invoice":{...}}`: byte for byte what
`Api2InvoiceOutputSerializer` and the renderer write (tests/invoicing/test_api2_json_rows.py). Ids are JSON
integers, `no` the number written with at least six digits, flags 0/1, amounts exact literals with no trailing
zeros (`MoneyField` quantizes to the column's own places, and the renderer then strips them), `summary_unpaid` the
total less the paid.

A row whose invoice has a ZATCA document (section 8c) gets its `zatca` from the same query as before (the page's
documents, one query): its `summary()` written by the renderer's own `dumps` and spliced into the row's text, so
its `errors` and `warnings` (jsonb read by Python, floats included) are exact whatever they hold.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Func, TextField, When
from orjson import Fragment

from invoicing.zatca.models import ZatcaDocument
from invoicing.zatca.reads import summary
from workspaces import json_sql as j
from workspaces.api.renderers import dumps


def _flag(column: str) -> Case:
    """`ZeroOneField`: 1 or 0."""
    return Case(When(**{column: True}, then=j.literal("1")), default=j.literal("0"))


# `Invoice.no`: f"{number:06d}", a JSON string of digits (no escaping to do).
_NO = Func(
    F("number"),
    template="'\"' || repeat('0', 6 - length((%(expressions)s)::text)) || (%(expressions)s)::text || '\"'",
    output_field=TextField(),
)

INVOICE_JSON = j.obj(
    ("id", j.number(F("pk"))),
    ("no", _NO),
    ("client_id", j.number(F("client_id"))),
    ("store_id", j.number(F("store_id"))),
    ("currency_code", j.text(F("currency"))),
    ("date", j.day(F("date"))),
    ("draft", _flag("draft")),
    ("discount", j.number(F("discount"))),
    ("discount_amount", j.number(F("discount_amount"))),
    ("notes", j.text(F("notes"))),
    ("po_number", j.text(F("po_number"))),
    ("is_offline", _flag("is_offline")),
    ("summary_subtotal", j.number(F("summary_subtotal"))),
    ("summary_discount", j.number(F("summary_discount"))),
    ("summary_tax", j.number(F("summary_tax"))),
    ("summary_total", j.number(F("summary_total"))),
    ("summary_paid", j.number(F("summary_paid"))),
    ("summary_unpaid", j.number(F("summary_total") - F("summary_paid"))),
)
# A row of the list's `data`: `Api2InvoiceListRowSerializer`.
ROW_JSON = j.obj(("Invoice", INVOICE_JSON))


def fragments(rows: list[dict[str, Any]], documents: dict[int, ZatcaDocument]) -> list[Fragment]:
    """The page's `data` in its order: each row's text (`{"id", "json"}`, `json` from `ROW_JSON`), with
    `"zatca":{...}` last in its `Invoice` where the invoice has a document (`invoicing.zatca.reads.documents_of`)."""
    written = []
    for row in rows:
        text = row["json"]
        document = documents.get(row["id"])
        if document is not None:  # `...}}` -> `...,"zatca":{...}}}`
            text = f'{text[:-2]},"zatca":{dumps(summary(document))}}}}}'
        written.append(Fragment(text))
    return written
