"""Exports: CSV streamed with a BOM (Arabic round-trips), XLSX through openpyxl, the list's filters, the admin action."""

import csv
import datetime as dt
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from suppliers import exports
from suppliers.models import Supplier
from tests.suppliers.conftest import make_invoice

pytestmark = pytest.mark.django_db

HEADER = [
    "id", "supplierId", "supplierName", "invoiceNumber", "currency", "totalAmount", "paidAmount",
    "remainingAmount", "status", "issueDate", "dueDate", "isOverdue", "description", "notes", "imageUrl", "createdAt",
]  # fmt: skip


@pytest.fixture
def book(workspace, supplier, frozen_today):
    frozen_today(dt.date(2024, 3, 1))
    first = make_invoice(
        workspace, supplier, "INV-١", "1200.5", issue="2024-01-05", due="2024-01-20", paid="200"
    )
    first.description = 'بن عربي، محمص — "فاخر"\nسطر ثانٍ'
    first.notes = '=HYPERLINK("http://evil")'
    first.save()
    second = make_invoice(workspace, supplier, "INV-2", "80", issue="2024-02-10")
    return first, second


def csv_rows(response) -> tuple[bytes, list[list[str]]]:
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_the_bom_and_round_trips_arabic(
    accountant_client, base_url, workspace, supplier, book
):
    first, second = book
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="supplier-invoices-2024-03-01.csv"'
    raw, rows = csv_rows(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == HEADER
    assert rows[1:] == [
        [str(second.pk), str(supplier.pk), "مؤسسة التوريدات الحديثة", "INV-2", "SAR", "80", "0", "80", "pending",
         "2024-02-10", "", "false", "", "", "", rows[1][15]],
        [str(first.pk), str(supplier.pk), "مؤسسة التوريدات الحديثة", "INV-١", "SAR", "1200.5", "200", "1000.5",
         "partially_paid", "2024-01-05", "2024-01-20", "true", "بن عربي، محمص — \"فاخر\"\nسطر ثانٍ",
         "'=HYPERLINK(\"http://evil\")", "", rows[2][15]],
    ]  # fmt: skip


def test_csv_is_the_default_and_uses_the_list_filters(accountant_client, base_url, book):
    first, _second = book
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?overdue=true&q=inv")
    _raw, rows = csv_rows(response)
    assert [row[0] for row in rows[1:]] == [str(first.pk)]


def test_csv_streams_in_chunks(book, workspace):
    """The generator yields the header then one line per row: nothing is built up in memory."""
    from suppliers import selectors

    lines = exports.csv_lines(
        exports.rows(
            selectors.invoice_list(workspace=workspace, today=dt.date(2024, 3, 1)), dt.date(2024, 3, 1)
        )
    )
    assert next(lines).startswith(exports.BOM + "id,")
    assert len(list(lines)) == 2


def test_xlsx_opens_with_openpyxl_and_holds_every_row(accountant_client, base_url, book):
    first, second = book
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=xlsx")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == exports_type()
    assert 'filename="supplier-invoices-2024-03-01.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 3
    assert rows[2][:12] == (
        first.pk, first.supplier_id, "مؤسسة التوريدات الحديثة", "INV-١", "SAR", 1200.5, 200, 1000.5,
        "partially_paid", dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 20), True,
    )  # fmt: skip
    assert rows[2][12] == 'بن عربي، محمص — "فاخر"\nسطر ثانٍ'
    assert rows[2][13].startswith("'=")
    assert rows[1][0] == second.pk


def exports_type():
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_xlsx_over_a_sheet_is_400_pointing_to_csv(accountant_client, base_url, book, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=xlsx")
    assert response.status_code == 400
    assert response.json() == {
        "message": "More than 1 rows do not fit in a sheet: export as CSV (format=csv).",
        "code": "too_many_rows",
        "details": {"rows": 2, "maxRows": 1, "format": "csv"},
    }


def test_bad_format_is_400(accountant_client, base_url):
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=pdf")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


def test_export_never_shows_another_workspace(accountant_client, base_url, book, other_workspace):
    foreign = Supplier.objects.create(workspace=other_workspace, name="foreign")
    make_invoice(other_workspace, foreign, "F-1")
    _raw, rows = csv_rows(accountant_client.get(f"{base_url}/supplier-invoices/export"))
    assert len(rows) == 3


@pytest.mark.parametrize("count", [2, 30])
def test_export_query_count_is_constant(
    count, accountant_client, base_url, workspace, supplier, django_assert_num_queries
):
    for n in range(count):
        make_invoice(workspace, supplier, f"E-{n}")
    with django_assert_num_queries(3):  # auth 2, the rows (read in chunks)
        response = accountant_client.get(f"{base_url}/supplier-invoices/export")
        _raw, rows = csv_rows(response)
    assert len(rows) == count + 1
