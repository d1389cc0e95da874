"""The XLSX as an accountant opens it in Excel: number and date cells in the workspace's zone, widths that never show
########, a bold frozen header with a filter, right to left in Arabic, a totals row equal to the sum of the rows."""

import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from suppliers import exports
from suppliers.models import SupplierInvoice
from tests.suppliers.conftest import make_invoice
from tests.suppliers.test_exports import ARABIC, ENGLISH, VAT

pytestmark = pytest.mark.django_db

ISSUE, DUE, TOTAL, PAID, REMAINING, STATUS, OVERDUE, CREATED = 5, 6, 8, 9, 10, 11, 12, 16  # 1-based columns


@pytest.fixture
def book(workspace, supplier, frozen_today):
    """Three invoices on 2024-03-01 in Riyadh; the first created at 22:30 UTC on 2024-01-05, which is 01:30 on the
    6th in Riyadh."""
    frozen_today(dt.date(2024, 3, 1))
    supplier.tax_number = VAT
    supplier.save()
    first = make_invoice(
        workspace, supplier, "INV-1", "1234567.89", issue="2024-01-05", due="2024-01-20", paid="200"
    )
    make_invoice(workspace, supplier, "INV-2", "80", issue="2024-02-10")
    make_invoice(workspace, supplier, "INV-3", "0.1", issue="2024-02-11", paid="0.1")
    SupplierInvoice.objects.filter(pk=first.pk).update(
        created_at=dt.datetime(2024, 1, 5, 22, 30, tzinfo=dt.UTC)
    )
    return first


def sheet_of(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def displayed_width(cell) -> int:
    """The characters Excel shows for a number or date cell in its format (a column narrower shows ########)."""
    if cell.is_date:
        return len(cell.value.strftime("%Y-%m-%d %H:%M" if "hh" in cell.number_format else "%Y-%m-%d"))
    places = len(cell.number_format.partition(".")[2])
    return len(f"{Decimal(str(cell.value)):,.{places}f}")


def test_english_sheet(accountant_client, base_url, book):
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=en")
    assert [cell.value for cell in sheet[1]] == ENGLISH
    assert all(cell.font.b for cell in sheet[1])  # bold header
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"  # the header and the three invoices, not the totals
    assert not sheet.sheet_view.rightToLeft
    assert sheet.max_row == 5

    first = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == book.pk)
    assert first[2].value == VAT
    assert (first[STATUS - 1].value, first[OVERDUE - 1].value) == ("Partially paid", "Yes")
    for column in (TOTAL, PAID, REMAINING):
        cell = first[column - 1]
        assert cell.data_type == "n"
        assert cell.number_format == "#,##0.00"
    assert [first[c - 1].value for c in (TOTAL, PAID, REMAINING)] == [1234567.89, 200, 1234367.89]
    for column, day in ((ISSUE, dt.datetime(2024, 1, 5)), (DUE, dt.datetime(2024, 1, 20))):
        cell = first[column - 1]
        assert cell.is_date and cell.value == day
        assert cell.number_format == "yyyy-mm-dd"
    created = first[CREATED - 1]
    assert created.is_date and created.value == dt.datetime(2024, 1, 6, 1, 30)  # Riyadh, the next day
    assert created.number_format == "yyyy-mm-dd hh:mm"


def test_widths_fit_every_date_and_amount(accountant_client, base_url, book):
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=en")
    checked = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:  # the id is a plain number
            if cell.is_date or (cell.data_type == "n" and cell.value is not None):
                width = sheet.column_dimensions[get_column_letter(cell.column)].width
                assert width >= displayed_width(cell) + 2, (cell.coordinate, cell.value, width)
                checked += 1
    assert checked == 3 * 5 + 1 + 3  # per invoice: issue, 3 amounts, created; INV-1's due date; the totals
    for words in (ENGLISH, ARABIC):
        for column, header in enumerate(words, 1):
            assert sheet.column_dimensions[get_column_letter(column)].width >= len(header) + 2, header


def test_totals_row_is_the_sum_of_the_rows(accountant_client, base_url, book):
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=en")
    rows = list(sheet.iter_rows(min_row=2))
    invoices, totals = rows[:-1], rows[-1]
    assert totals[0].value == "Totals"
    assert totals[6].value == "SAR"
    for column in (TOTAL, PAID, REMAINING):
        expected = sum(Decimal(str(row[column - 1].value)) for row in invoices)
        assert Decimal(str(totals[column - 1].value)) == expected
        assert totals[column - 1].data_type == "n"
        assert totals[column - 1].number_format == "#,##0.00"
        assert totals[column - 1].font.b
    assert [totals[c - 1].value for c in (TOTAL, PAID, REMAINING)] == [1234647.99, 200.1, 1234447.89]


def test_arabic_sheet_reads_right_to_left(accountant_client, base_url, book):
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=ar")
    assert sheet.sheet_view.rightToLeft is True
    assert sheet.title == "فواتير الموردين"
    assert sheet.freeze_panes == "A2"
    statuses = {row[STATUS - 1].value for row in sheet.iter_rows(min_row=2, max_row=4)}
    assert statuses == {"قيد الانتظار", "مدفوعة جزئيًا", "مدفوعة"}


def test_arabic_sheet_by_accept_language(accountant_client, base_url, book):
    sheet = sheet_of(
        accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx", HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert sheet.sheet_view.rightToLeft is True
    assert {row[OVERDUE - 1].value for row in sheet.iter_rows(min_row=2, max_row=4)} == {"نعم", "لا"}


def test_arabic_header_words(accountant_client, base_url, book):
    """New strings: passes once the lead has merged and compiled /tmp/helper_exports_po.txt."""
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=ar")
    assert [cell.value for cell in sheet[1]] == ARABIC
    assert sheet.cell(row=sheet.max_row, column=1).value == "المجموع"


def test_kwd_amounts_have_three_decimals(accountant_client, base_url, workspace, supplier, frozen_today):
    frozen_today(dt.date(2024, 3, 1))
    workspace.currency = "KWD"
    workspace.save()
    make_invoice(workspace, supplier, "K-1", "1200.5", paid="0.125")
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=en")
    for row in (2, 3):  # the invoice, the totals
        cells = [sheet.cell(row=row, column=c) for c in (TOTAL, PAID, REMAINING)]
        assert [cell.value for cell in cells] == [1200.5, 0.125, 1200.375]
        assert {cell.number_format for cell in cells} == {"#,##0.000"}


def test_formula_like_text_stays_text(accountant_client, base_url, workspace, supplier, frozen_today):
    frozen_today(dt.date(2024, 3, 1))
    supplier.name = "@SUM(1+1)"
    supplier.save()
    invoice = make_invoice(workspace, supplier, "=1+1")
    invoice.notes = "\tcmd"
    invoice.save()
    sheet = sheet_of(accountant_client, f"{base_url}/supplier-invoices/export?format=xlsx&lang=en")
    row = sheet[2]
    assert (row[1].value, row[3].value, row[13].value) == ("'@SUM(1+1)", "'=1+1", "'\tcmd")
    assert {row[1].data_type, row[3].data_type, row[13].data_type} == {"s"}


def _records(count: int):
    """Synthetic rows in `exports.rows()` order, made as they are read."""
    for n in range(count):
        yield (
            n, f"مؤسسة التوريدات رقم {n % 20}", VAT, f"INV-{n}", dt.date(2024, 1, 1), dt.date(2024, 2, 1), "SAR",
            Decimal("1000.25"), Decimal("100"), Decimal("900.25"), "partially_paid", n % 2 == 0,
            "بن عربي محمص — وصف الفاتورة", None, None, dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC),
        )  # fmt: skip


def _peak(make) -> int:
    tracemalloc.start()
    try:
        make()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_rows_grow():
    """Ten times the rows, about the same peak: the XLSX streams a batch of rows at a time through the zip's
    deflate stream and the CSV streams line by line; the totals are a few sums, not a second pass."""
    words = exports.words(language="ar", zone="Asia/Riyadh", currency="SAR")

    def xlsx(count):
        return lambda: sum(len(chunk) for chunk in exports.xlsx_chunks(_records(count), words))

    def csv(count):
        return lambda: sum(len(line) for line in exports.csv_lines(_records(count), words))

    for make in (xlsx, csv):
        small, large = _peak(make(1_000)), _peak(make(10_000))
        assert large < small * 1.5 + 256 * 1024, (make.__name__, small, large)
