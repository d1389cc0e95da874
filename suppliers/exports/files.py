"""The one entry point of the export: the API's view and the admin's action call `download()`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from suppliers.exports.common import KINDS, XLSX_CONTENT_TYPE, rows, words
from suppliers.exports.csv_file import batched, csv_lines
from suppliers.exports.xlsx_file import check_xlsx_size, xlsx_chunks
from suppliers.models import SupplierInvoice
from workspaces.dates import workspace_today
from workspaces.models import Workspace

# --- The one entry point -------------------------------------------------------------------------------------


def filename(extension: str, today: dt.date) -> str:
    return f"supplier-invoices-{today.isoformat()}.{extension}"


def download(
    invoices: QuerySet[SupplierInvoice], *, workspace: Workspace, kind: str, language: str
) -> HttpResponse:
    """The file of `invoices` (already filtered by the caller; kept to `workspace` here too), as `kind` (`csv` or
    `xlsx`) in `language` (`ar` or `en`), with dates in the workspace's time zone. Raises ApplicationError (400
    `too_many_rows`) when an XLSX would not fit in a sheet; the message is in the active language."""
    if kind not in KINDS:
        raise ValueError(f"Unknown export format: {kind!r}")
    today = workspace_today(workspace)
    invoices = invoices.filter(workspace=workspace)
    sheet_words = words(language=language, zone=workspace.timezone, currency=workspace.currency)
    if kind == "xlsx":
        size = invoices.order_by().aggregate(rows=Count("pk"), currencies=Count("currency", distinct=True))
        check_xlsx_size(size["rows"], totals_rows=max(size["currencies"], 1))
        response = StreamingHttpResponse(
            xlsx_chunks(rows(invoices, today), sheet_words), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(True, filename("xlsx", today))
        return response
    response = StreamingHttpResponse(
        batched(csv_lines(rows(invoices, today), sheet_words)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename("csv", today)}"'
    return response
