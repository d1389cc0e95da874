"""Supplier invoice exports for accountants: CSV streamed row by row, XLSX through openpyxl's write-only mode.

CSV: UTF-8 with a BOM (so Excel reads Arabic correctly), written by `csv.writer` into a pseudo-buffer that
hands each line straight back, over a server-side iterator: memory stays flat however many rows. XLSX: a
write-only workbook saved to a temporary file that `FileResponse` streams and then deletes.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from suppliers import error_codes
from suppliers.models import SupplierInvoice
from workspaces.errors import ApplicationError
from workspaces.numbers import decimal_literal

BOM = "\ufeff"
CHUNK_SIZE = 2000
XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header
FIELDS = (
    "pk",
    "supplier_id",
    "supplier__name",
    "invoice_number",
    "currency",
    "total_amount",
    "paid_amount",
    "remaining_amount",
    "status",
    "issue_date",
    "due_date",
    "description",
    "notes",
    "image_url",
    "created_at",
)
HEADER = (
    "id",
    "supplierId",
    "supplierName",
    "invoiceNumber",
    "currency",
    "totalAmount",
    "paidAmount",
    "remainingAmount",
    "status",
    "issueDate",
    "dueDate",
    "isOverdue",
    "description",
    "notes",
    "imageUrl",
    "createdAt",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(invoices: QuerySet[SupplierInvoice], today: dt.date) -> Iterator[tuple[Any, ...]]:
    """Plain values in `HEADER` order, read in chunks from a server-side cursor (no model instances)."""
    for (pk, supplier_id, supplier_name, number, currency, total, paid, remaining, status, issue, due,
         description, notes, image_url, created_at) in (
        invoices.order_by("-pk").values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    ):  # fmt: skip
        overdue = remaining > 0 and due is not None and today > due
        yield (pk, supplier_id, supplier_name, number, currency, total, paid, remaining, status, issue, due,
               overdue, description, notes, image_url, created_at)  # fmt: skip


class _Echo:
    """The pseudo-buffer: `csv.writer` writes one line and gets it straight back."""

    def write(self, value: str) -> str:
        return value


def _text(value: Any) -> Any:
    """What a cell shows: exact amounts, ISO dates; text that Excel would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_literal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(records: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The BOM and the header, then one line per row, as they are read."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(HEADER)
    for record in records:
        yield writer.writerow([_text(value) for value in record])


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones: UTC, as the API
    return value


def check_xlsx_size(count: int) -> None:
    if count > XLSX_MAX_ROWS:
        raise ApplicationError(
            _("More than %(max)d rows do not fit in a sheet: export as CSV (format=csv).")
            % {"max": XLSX_MAX_ROWS},
            code=error_codes.TOO_MANY_ROWS,
            status=400,
            details={"rows": count, "maxRows": XLSX_MAX_ROWS, "format": "csv"},
        )


def xlsx_file(records: Iterable[tuple[Any, ...]]) -> IO[bytes]:
    """A temporary file holding the workbook, positioned at its start; it is deleted when closed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Supplier invoices"))[:31])
    sheet.append(HEADER)
    for record in records:
        sheet.append([_cell(value) for value in record])
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def filename(extension: str, today: dt.date) -> str:
    return f"supplier-invoices-{today.isoformat()}.{extension}"
