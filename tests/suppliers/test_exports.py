"""Exports: CSV streamed with a BOM (Arabic round-trips), XLSX through openpyxl, the list's filters, the language, the
admin's entry point (`exports.download`). The XLSX's layout (widths, formats, frozen header, filter, direction) is in
test_exports_xlsx.py."""

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from suppliers import exports, selectors
from suppliers.models import Supplier, SupplierInvoice
from tests.suppliers.conftest import make_invoice
from workspaces.errors import ApplicationError

pytestmark = pytest.mark.django_db

ENGLISH = [
    "ID", "Supplier", "VAT number", "Invoice number", "Issue date", "Due date", "Currency", "Total", "Paid",
    "Remaining", "Status", "Overdue", "Description", "Notes", "Image", "Created",
]  # fmt: skip
ARABIC = [
    "المعرّف", "المورد", "الرقم الضريبي", "رقم الفاتورة", "تاريخ الإصدار", "تاريخ الاستحقاق", "العملة", "الإجمالي",
    "المدفوع", "المتبقي", "الحالة", "متأخرة", "الوصف", "ملاحظات", "الصورة", "تاريخ الإنشاء",
]  # fmt: skip
SUPPLIER = "مؤسسة التوريدات الحديثة"
VAT = "310122393500003"
DESCRIPTION = 'بن عربي، محمص — "فاخر"\nسطر ثانٍ'


@pytest.fixture
def book(workspace, supplier, frozen_today):
    """Two invoices on 2024-03-01 (Riyadh): INV-١ partly paid and overdue, created at 22:30 UTC on 2024-01-05
    (01:30 on the 6th in Riyadh); INV-2 pending, created at 09:00 UTC on 2024-02-10 (12:00 in Riyadh)."""
    frozen_today(dt.date(2024, 3, 1))
    supplier.tax_number = VAT
    supplier.save()
    first = make_invoice(
        workspace, supplier, "INV-١", "1200.5", issue="2024-01-05", due="2024-01-20", paid="200"
    )
    first.description = DESCRIPTION
    first.notes = '=HYPERLINK("http://evil")'
    first.save()
    second = make_invoice(workspace, supplier, "INV-2", "80", issue="2024-02-10")
    SupplierInvoice.objects.filter(pk=first.pk).update(
        created_at=dt.datetime(2024, 1, 5, 22, 30, tzinfo=dt.UTC)
    )
    SupplierInvoice.objects.filter(pk=second.pk).update(
        created_at=dt.datetime(2024, 2, 10, 9, 0, tzinfo=dt.UTC)
    )
    return first, second


def csv_rows(response) -> tuple[bytes, list[list[str]]]:
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_in_english_is_what_an_accountant_keeps(accountant_client, base_url, supplier, book):
    first, second = book
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=csv&lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="supplier-invoices-2024-03-01.csv"'
    raw, rows = csv_rows(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows == [
        ENGLISH,
        [str(second.pk), SUPPLIER, VAT, "INV-2", "2024-02-10", "", "SAR", "80.00", "0.00", "80.00", "Pending",
         "No", "", "", "", "2024-02-10 12:00"],
        [str(first.pk), SUPPLIER, VAT, "INV-١", "2024-01-05", "2024-01-20", "SAR", "1200.50", "200.00", "1000.50",
         "Partially paid", "Yes", DESCRIPTION, "'=HYPERLINK(\"http://evil\")", "", "2024-01-06 01:30"],
        ["Totals", "", "", "", "", "", "SAR", "1280.50", "200.00", "1080.50", "", "", "", "", "", ""],
    ]  # fmt: skip


def test_csv_in_arabic_has_arabic_words(accountant_client, base_url, book):
    """Header words and "Totals" are new strings: this test passes once the lead has merged and compiled
    /tmp/helper_exports_po.txt."""
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?lang=ar")
    _raw, rows = csv_rows(response)
    assert rows[0] == ARABIC
    assert rows[-1][0] == "المجموع"


def test_statuses_and_overdue_are_words_in_the_language_of_the_request(accountant_client, base_url, book):
    """No `lang`: the request's Accept-Language (statuses and yes/no are translated already)."""
    _raw, rows = csv_rows(
        accountant_client.get(f"{base_url}/supplier-invoices/export", HTTP_ACCEPT_LANGUAGE="ar")
    )
    assert [(row[10], row[11]) for row in rows[1:3]] == [("قيد الانتظار", "لا"), ("مدفوعة جزئيًا", "نعم")]
    _raw, rows = csv_rows(accountant_client.get(f"{base_url}/supplier-invoices/export"))
    assert [(row[10], row[11]) for row in rows[1:3]] == [("Pending", "No"), ("Partially paid", "Yes")]


def test_lang_wins_over_accept_language(accountant_client, base_url, book):
    response = accountant_client.get(
        f"{base_url}/supplier-invoices/export?lang=en", HTTP_ACCEPT_LANGUAGE="ar"
    )
    _raw, rows = csv_rows(response)
    assert rows[0] == ENGLISH
    assert rows[1][10] == "Pending"


@pytest.mark.parametrize("lang", ["fr", "AR", "ar-SA", "ar,en"])
def test_an_unknown_lang_is_400(accountant_client, base_url, lang):
    response = accountant_client.get(f"{base_url}/supplier-invoices/export", {"lang": lang})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == ["lang"]
    if lang == "fr":
        assert body["errors"]["lang"] == ['"fr" is not a valid choice: ar, en.']


def test_a_three_digit_currency_keeps_three_digits(
    accountant_client, base_url, workspace, supplier, frozen_today
):
    frozen_today(dt.date(2024, 3, 1))
    workspace.currency = "KWD"
    workspace.save()
    make_invoice(workspace, supplier, "K-1", "1200.5", paid="0.125")
    _raw, rows = csv_rows(accountant_client.get(f"{base_url}/supplier-invoices/export?lang=en"))
    assert rows[1][6:10] == ["KWD", "1200.500", "0.125", "1200.375"]
    assert rows[2][6:10] == ["KWD", "1200.500", "0.125", "1200.375"]


def test_a_totals_row_per_currency(accountant_client, base_url, workspace, supplier, frozen_today):
    """The workspace changed its currency: each currency is added up on its own row, never mixed."""
    frozen_today(dt.date(2024, 3, 1))
    make_invoice(workspace, supplier, "S-1", "10.25")
    make_invoice(workspace, supplier, "S-2", "4.75", paid="1")
    workspace.currency = "KWD"
    workspace.save()
    make_invoice(workspace, supplier, "K-1", "2.5")
    _raw, rows = csv_rows(accountant_client.get(f"{base_url}/supplier-invoices/export?lang=en"))
    assert [row[:1] + row[6:10] for row in rows[-2:]] == [
        ["Totals", "KWD", "2.500", "0.000", "2.500"],
        ["Totals", "SAR", "15.00", "1.00", "14.00"],
    ]


def test_an_empty_export_has_a_zero_total(accountant_client, base_url):
    _raw, rows = csv_rows(accountant_client.get(f"{base_url}/supplier-invoices/export?lang=en"))
    assert rows == [
        ENGLISH,
        ["Totals", "", "", "", "", "", "SAR", "0.00", "0.00", "0.00", "", "", "", "", "", ""],
    ]


def test_csv_is_the_default_and_uses_the_list_filters(accountant_client, base_url, book):
    first, _second = book
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?overdue=true&q=inv")
    _raw, rows = csv_rows(response)
    assert [row[0] for row in rows[1:]] == [str(first.pk), "Totals"]
    assert rows[-1][7:10] == ["1200.50", "200.00", "1000.50"]


def test_csv_streams_in_chunks(book, workspace):
    """The generator yields the header then one line per row: nothing is built up in memory."""
    today = dt.date(2024, 3, 1)
    words = exports.words(language="en", zone=workspace.timezone)
    lines = exports.csv_lines(
        exports.rows(selectors.invoice_list(workspace=workspace, today=today), today), words
    )
    assert next(lines).startswith(exports.BOM + "ID,")
    assert len(list(lines)) == 3  # two rows, the totals


def test_xlsx_opens_with_openpyxl_and_holds_every_row(accountant_client, base_url, book):
    first, second = book
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=xlsx&lang=en")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)  # streamed as it is written: the first byte at once
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert 'filename="supplier-invoices-2024-03-01.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == ENGLISH
    assert len(rows) == 4
    assert rows[2] == (
        first.pk, SUPPLIER, VAT, "INV-١", dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 20), "SAR", 1200.5, 200,
        1000.5, "Partially paid", "Yes", DESCRIPTION, "'=HYPERLINK(\"http://evil\")", None,
        dt.datetime(2024, 1, 6, 1, 30),
    )  # fmt: skip
    assert rows[1][0] == second.pk
    assert rows[3][:10] == ("Totals", *[None] * 5, "SAR", 1280.5, 200, 1080.5)
    assert set(rows[3][10:]) <= {None}


def test_xlsx_over_a_sheet_is_400_pointing_to_csv(accountant_client, base_url, book, monkeypatch):
    """Two invoices and their totals row need 3 rows below the header."""
    monkeypatch.setattr("suppliers.exports.xlsx_file.XLSX_MAX_ROWS", 2)
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=xlsx")
    assert response.status_code == 400
    assert response.json() == {
        "message": "More than 1 rows do not fit in a sheet: export as CSV (format=csv).",
        "code": "too_many_rows",
        "details": {"rows": 2, "maxRows": 1, "format": "csv"},
    }
    monkeypatch.setattr("suppliers.exports.xlsx_file.XLSX_MAX_ROWS", 3)
    assert accountant_client.get(f"{base_url}/supplier-invoices/export?format=xlsx").status_code == 200


def test_bad_format_is_400(accountant_client, base_url):
    response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=pdf")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


def test_export_never_shows_another_workspace(accountant_client, base_url, book, other_workspace):
    foreign = Supplier.objects.create(workspace=other_workspace, name="foreign")
    make_invoice(other_workspace, foreign, "F-1")
    _raw, rows = csv_rows(accountant_client.get(f"{base_url}/supplier-invoices/export"))
    assert len(rows) == 4
    assert "F-1" not in {row[3] for row in rows}


def test_download_is_the_admins_entry_point(workspace, supplier, book, other_workspace):
    """`download` keeps to the workspace it is given, whatever queryset it receives."""
    foreign = Supplier.objects.create(workspace=other_workspace, name="foreign")
    make_invoice(other_workspace, foreign, "F-1", "999")
    response = exports.download(SupplierInvoice.objects.all(), workspace=workspace, kind="csv", language="en")
    _raw, rows = csv_rows(response)
    assert [row[3] for row in rows] == ["Invoice number", "INV-2", "INV-١", ""]
    assert rows[-1][7] == "1280.50"
    xlsx = exports.download(SupplierInvoice.objects.all(), workspace=workspace, kind="xlsx", language="en")
    assert isinstance(xlsx, StreamingHttpResponse)
    assert xlsx["Content-Type"] == exports.XLSX_CONTENT_TYPE


def test_download_refuses_an_xlsx_too_big_for_a_sheet(workspace, book, monkeypatch):
    monkeypatch.setattr("suppliers.exports.xlsx_file.XLSX_MAX_ROWS", 2)
    with pytest.raises(ApplicationError) as refusal:
        exports.download(SupplierInvoice.objects.all(), workspace=workspace, kind="xlsx", language="ar")
    assert refusal.value.code == "too_many_rows"
    assert refusal.value.status_code == 400
    assert refusal.value.details == {"rows": 2, "maxRows": 1, "format": "csv"}


@pytest.mark.parametrize("count", [2, 30])
def test_export_query_count_is_constant(
    count, accountant_client, base_url, workspace, supplier, django_assert_num_queries
):
    for n in range(count):
        make_invoice(workspace, supplier, f"E-{n}")
    with django_assert_num_queries(2):  # auth 1 (the user with their membership), the rows (read in chunks)
        response = accountant_client.get(f"{base_url}/supplier-invoices/export")
        _raw, rows = csv_rows(response)
    assert len(rows) == count + 2
    with django_assert_num_queries(3):  # auth 1, the size (rows and currencies), the rows
        response = accountant_client.get(f"{base_url}/supplier-invoices/export?format=xlsx")
        b"".join(response.streaming_content)


def test_the_schema_declares_lang(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/v1/workspace/{workspace_id}/supplier-invoices/export"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["lang"]["in"] == "query"
    assert parameters["lang"]["schema"]["enum"] == ["ar", "en"]
    assert "Accept-Language" in parameters["lang"]["description"]
    assert {"format", "supplierId", "status", "overdue", "q"} <= set(parameters)
