"""Supplier invoice exports for accountants (PRODUCT.md section 6, "Exports"; issue 17): CSV streamed row by row,
XLSX through openpyxl's write-only mode. The API's export and the admin's action both call `download()`.

What the accountant keeps: headers, statuses and "overdue" in the requester's language (Arabic or English); amounts
in the currency's minor digits (`1200.50`, KWD `1200.500`); dates and the creation time in the workspace's time
zone; the supplier's VAT number; a totals row per currency at the end, summed while the rows stream (no second
query). The XLSX has real number and date cells, column widths, a bold frozen header, an autofilter, and reads
right to left in Arabic.

Memory stays flat however many rows. CSV: UTF-8 with a BOM (so Excel reads Arabic correctly), written by
`csv.writer` into a pseudo-buffer that hands each line straight back, over a server-side iterator. XLSX: a
write-only workbook (each row is serialised as it is appended, through one reused styled cell per column) saved to
a temporary file that `FileResponse` streams and then deletes. Everything that depends on the language or the time
zone is resolved into `Words` before the response is returned: a streamed body is produced after the view (and its
`translation.override`) has exited.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from invoicing.money import MONEY_DECIMAL_PLACES, minor_unit, quantize_money
from suppliers import error_codes
from suppliers.models import SupplierInvoice
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError
from workspaces.models import Workspace

BOM = "\ufeff"
CHUNK_SIZE = 2000
XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header (the totals rows come out of these too)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = ("ar", "en")
KINDS = ("csv", "xlsx")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

FIELDS = (
    "pk",
    "supplier__name",
    "supplier__tax_number",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "total_amount",
    "paid_amount",
    "remaining_amount",
    "status",
    "description",
    "notes",
    "image_url",
    "created_at",
)


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy translation, resolved in `words()`
    kind: str  # id, text, date, datetime, currency, money, status, flag
    width: float  # in characters: wide enough that a date or an amount never shows as ########


# One entry per value of `rows()`, in that order.
COLUMNS = (
    Column(pgettext_lazy("supplier invoice export", "ID"), "id", 10),
    Column(pgettext_lazy("supplier invoice export", "Supplier"), "text", 32),
    Column(pgettext_lazy("supplier invoice export", "VAT number"), "text", 20),
    Column(pgettext_lazy("supplier invoice export", "Invoice number"), "text", 18),
    Column(pgettext_lazy("supplier invoice export", "Issue date"), "date", 18),
    Column(pgettext_lazy("supplier invoice export", "Due date"), "date", 18),
    Column(pgettext_lazy("supplier invoice export", "Currency"), "currency", 10),
    Column(pgettext_lazy("supplier invoice export", "Total"), "money", 18),
    Column(pgettext_lazy("supplier invoice export", "Paid"), "money", 18),
    Column(pgettext_lazy("supplier invoice export", "Remaining"), "money", 18),
    Column(pgettext_lazy("supplier invoice export", "Status"), "status", 16),
    Column(pgettext_lazy("supplier invoice export", "Overdue"), "flag", 10),
    Column(pgettext_lazy("supplier invoice export", "Description"), "text", 40),
    Column(pgettext_lazy("supplier invoice export", "Notes"), "text", 30),
    Column(pgettext_lazy("supplier invoice export", "Image"), "text", 30),
    Column(pgettext_lazy("supplier invoice export", "Created"), "datetime", 20),
)
CURRENCY_INDEX = 6
AMOUNT_INDEXES = (7, 8, 9)  # total, paid, remaining: what the totals row adds up
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Words:
    """Everything language- and zone-dependent, resolved once (plain strings, no lazy text)."""

    language: str
    sheet_title: str
    header: tuple[str, ...]
    statuses: dict[str, str]
    yes: str
    no: str
    totals: str
    zone: dt.tzinfo
    right_to_left: bool
    currency: str | None = None  # the workspace's: the totals row of an export without rows


def language_of(code: str | None) -> str:
    """`ar`, `ar-sa` -> `ar`; anything else (English, none) -> `en`."""
    return "ar" if (code or "").lower().startswith("ar") else "en"


def words(*, language: str, zone: dt.tzinfo | str, currency: str | None = None) -> Words:
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    language = language_of(language)
    with translation.override(language):
        return Words(
            language=language,
            sheet_title=_("Supplier invoices")[:31],
            header=tuple(str(column.label) for column in COLUMNS),
            statuses={str(value): str(label) for value, label in SupplierInvoice.Status.choices},
            yes=_("Yes"),
            no=_("No"),
            totals=str(pgettext_lazy("supplier invoice export", "Totals")),
            zone=zone,
            right_to_left=language == "ar",
            currency=currency,
        )


def _current_words() -> Words:
    """The active language and time zone (the admin activates the workspace's zone for its requests)."""
    return words(language=translation.get_language() or "en", zone=timezone.get_current_timezone())


def rows(invoices: QuerySet[SupplierInvoice], today: dt.date) -> Iterator[tuple[Any, ...]]:
    """Plain values in `COLUMNS` order, read in chunks from a server-side cursor (no model instances)."""
    for (pk, supplier, vat_number, number, issue, due, currency, total, paid, remaining, status, description,
         notes, image_url, created_at) in (
        invoices.order_by("-pk").values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    ):  # fmt: skip
        overdue = remaining > 0 and due is not None and today > due
        yield (pk, supplier, vat_number, number, issue, due, currency, total, paid, remaining, status, overdue,
               description, notes, image_url, created_at)  # fmt: skip


def places_of(currency: str | None) -> int:
    """The currency's minor digits; an unknown code keeps the stored places rather than guessing."""
    try:
        return minor_unit(currency)
    except ValueError:
        return MONEY_DECIMAL_PLACES


def _amount(value: Decimal, currency: str) -> Decimal:
    """Rounded half-up to the currency's digits, with exactly that many places (`Decimal("1200.50")`)."""
    try:
        return quantize_money(value, currency)
    except ValueError:
        return value.quantize(Decimal(1).scaleb(-MONEY_DECIMAL_PLACES))


class _Totals:
    """Sums per currency, added up as the rows pass (memory: one entry per currency)."""

    def __init__(self) -> None:
        self.sums: dict[str, list[Decimal]] = {}

    def add(self, record: tuple[Any, ...]) -> None:
        sums = self.sums.setdefault(record[CURRENCY_INDEX], [Decimal(0)] * len(AMOUNT_INDEXES))
        for n, index in enumerate(AMOUNT_INDEXES):
            sums[n] += record[index]

    def records(self, words: Words) -> list[tuple[Any, ...]]:
        """One row per currency (the workspace's with zeros when there was no row): the label, the currency, the
        three sums; the rest empty."""
        sums = self.sums or ({words.currency: [Decimal(0)] * len(AMOUNT_INDEXES)} if words.currency else {})
        result = []
        for currency in sorted(sums):
            record: list[Any] = [None] * len(COLUMNS)
            record[0] = words.totals
            record[CURRENCY_INDEX] = currency
            for n, index in enumerate(AMOUNT_INDEXES):
                record[index] = sums[currency][n]
            result.append(tuple(record))
        return result


def _quoted(value: str) -> str:
    """Text that Excel would run as a formula is shown as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


# --- CSV -----------------------------------------------------------------------------------------------------


class _Echo:
    """The pseudo-buffer: `csv.writer` writes one line and gets it straight back."""

    def write(self, value: str) -> str:
        return value


def _csv_record(record: tuple[Any, ...], words: Words) -> list[Any]:
    currency = record[CURRENCY_INDEX]
    line = []
    for column, value in zip(COLUMNS, record, strict=True):
        if value is None:
            line.append("")
        elif column.kind == "money":
            line.append(format(_amount(value, currency), "f"))  # 1200.50: the currency's digits, no grouping
        elif column.kind == "date":
            line.append(value.isoformat())
        elif column.kind == "datetime":
            line.append(value.astimezone(words.zone).strftime("%Y-%m-%d %H:%M"))
        elif column.kind == "status":
            line.append(words.statuses.get(value, value))
        elif column.kind == "flag":
            line.append(words.yes if value else words.no)
        elif isinstance(value, str):
            line.append(_quoted(value))
        else:
            line.append(value)
    return line


def csv_lines(records: Iterable[tuple[Any, ...]], words: Words | None = None) -> Iterator[str]:
    """The BOM and the header, then one line per row as it is read, then the totals. `words` defaults to the
    active language and time zone, resolved now (not when the body is streamed)."""
    return _csv_lines(records, words or _current_words())


def _csv_lines(records: Iterable[tuple[Any, ...]], words: Words) -> Iterator[str]:
    writer = csv.writer(_Echo())
    totals = _Totals()
    yield BOM + writer.writerow(words.header)
    for record in records:
        totals.add(record)
        yield writer.writerow(_csv_record(record, words))
    for record in totals.records(words):
        yield writer.writerow(_csv_record(record, words))


# --- XLSX ----------------------------------------------------------------------------------------------------


def check_xlsx_size(count: int, *, totals_rows: int = 1) -> None:
    """400 pointing to CSV when `count` invoices, the header and the totals rows do not fit in a sheet."""
    limit = XLSX_MAX_ROWS - totals_rows
    if count > limit:
        raise ApplicationError(
            _("More than %(max)d rows do not fit in a sheet: export as CSV (format=csv).") % {"max": limit},
            code=error_codes.TOO_MANY_ROWS,
            status=400,
            details={"rows": count, "maxRows": limit, "format": "csv"},
        )


def _money_format(places: int) -> str:
    return "#,##0." + "0" * places if places else "#,##0"


class _Cells:
    """One reusable styled cell per column and format: the write-only sheet serialises a row as it is appended,
    so a cell can take the next row's value (far cheaper than styling a new cell for every value)."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.cells: dict[tuple[int, str, bool], WriteOnlyCell] = {}

    def __call__(self, index: int, value: Any, number_format: str, *, bold: bool = False) -> WriteOnlyCell:
        key = (index, number_format, bold)
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = WriteOnlyCell(self.sheet)
            cell.number_format = number_format
            if bold:
                cell.font = Font(bold=True)
        cell.value = value
        return cell


def _xlsx_record(record: tuple[Any, ...], words: Words, cells: _Cells, *, bold: bool = False) -> list[Any]:
    currency = record[CURRENCY_INDEX]
    line: list[Any] = []
    for index, (column, value) in enumerate(zip(COLUMNS, record, strict=True)):
        if value is None:
            line.append(None)
            continue
        if column.kind == "money":
            places = places_of(currency)
            value = cells(index, _amount(value, currency), _money_format(places), bold=bold)
        elif column.kind == "date":
            value = cells(index, value, DATE_FORMAT)
        elif column.kind == "datetime":  # Excel has no time zones: the workspace's local time
            value = cells(index, value.astimezone(words.zone).replace(tzinfo=None), DATETIME_FORMAT)
        elif column.kind == "status":
            value = words.statuses.get(value, value)
        elif column.kind == "flag":
            value = words.yes if value else words.no
        elif isinstance(value, str):
            value = _quoted(ILLEGAL_CHARACTERS_RE.sub("", value))
            if bold:
                value = cells(index, value, "General", bold=True)
        line.append(value)
    return line


def xlsx_file(records: Iterable[tuple[Any, ...]], words: Words | None = None) -> IO[bytes]:
    """A temporary file holding the workbook, positioned at its start; it is deleted when closed."""
    words = words or _current_words()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=words.sheet_title)
    # Widths, view (frozen header, direction) are written before the first row: set them first.
    for number, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.sheet_view.rightToLeft = words.right_to_left
    header = []
    for label in words.header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    cells = _Cells(sheet)
    totals = _Totals()
    last_row = 1
    for record in records:
        totals.add(record)
        sheet.append(_xlsx_record(record, words, cells))
        last_row += 1
    # The filter covers the header and the invoices, not the totals (sorting must not move them). Its ref is
    # written when the sheet is closed, so it can be set now that the last row is known.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    for record in totals.records(words):
        sheet.append(_xlsx_record(record, words, cells, bold=True))
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


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
        return FileResponse(
            xlsx_file(rows(invoices, today), sheet_words),
            as_attachment=True,
            filename=filename("xlsx", today),
            content_type=XLSX_CONTENT_TYPE,
        )
    response = StreamingHttpResponse(
        csv_lines(rows(invoices, today), sheet_words), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename("csv", today)}"'
    return response
