"""On PostgreSQL the supplier invoice lists' answers are written by the database (`suppliers.api.json_rows`): byte
for byte what `SupplierInvoiceOutputSerializer` and the renderer write from the same rows in Python, for invoices
of every state (pending, partially paid, paid, overdue or not, due today, no due date), nulls and scans, texts with
quotes, controls, Arabic and emoji, amounts with three places, two and none, the calendar's first and last days."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suppliers.models import Supplier, SupplierInvoice
from tests.suppliers.conftest import make_invoice
from workspaces import json_sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TODAY = dt.date(2024, 3, 1)
SCAN = "https://storage.googleapis.com/bucket/supplier-invoices/1/scan.webp"


def _written_by_database(client, url):
    """The list's answer, checked to be the database's: its page query writes the JSON (the dates' midnight)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert any("T00:00:00.000Z" in query["sql"] for query in queries.captured_queries)
    return response


def _written_by_python(client, url, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(json_sql, "available", lambda: False)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    assert response.status_code == 200, response.content
    assert not any("T00:00:00.000Z" in query["sql"] for query in queries.captured_queries)
    return response


def _same_pages(client, url, monkeypatch):
    """Every page of `url` (followed by its cursors) is the same bytes by either path; the pages' invoices."""
    invoices, cursor = [], None
    while True:
        page_url = f"{url}{'&' if '?' in url else '?'}cursor={cursor}" if cursor else url
        database = _written_by_database(client, page_url)
        assert database.content == _written_by_python(client, page_url, monkeypatch).content
        invoices += database.json()["invoices"]
        cursor = database.json()["nextCursor"]
        if cursor is None:
            return invoices


@pytest.fixture
def book(workspace, supplier, frozen_today):
    """An invoice of each state and kind of value, as the services or a direct write leave them."""
    frozen_today(TODAY)
    other = Supplier.objects.create(workspace=workspace, name='Nour "الشرق" \\ Trading')
    rows = {
        "pending_overdue": make_invoice(
            workspace, supplier, "P-1", "100", issue="2024-01-05", due="2024-01-20"
        ),
        "partial_not_due": make_invoice(
            workspace, supplier, "P-2", "100.25", issue="2024-02-10", due="2024-03-10", paid="40.125"
        ),
        "partial_overdue": make_invoice(
            workspace, other, "P-3", "0.999", issue="2024-01-01", due="2024-02-29", paid="0.001"
        ),
        "paid_past_due": make_invoice(
            workspace, other, "C-1", "50", issue="2024-02-20", due="2024-02-25", paid="50"
        ),
        "due_today": make_invoice(workspace, other, "C-2", "70.5", issue="2024-02-28", due="2024-03-01"),
        "no_due_date": make_invoice(workspace, supplier, "فاتورة-٧", "0", issue="0001-01-02"),
        "largest": make_invoice(
            workspace,
            other,
            'INV "7" \\ \t\n\x01\x1f\x7f\u2028 🧾',
            "999999999999999.999",
            issue="9999-12-30",
        ),
    }
    SupplierInvoice.objects.filter(pk=rows["partial_not_due"].pk).update(
        description='وصف اختياري\r\n"مقتبس" \\ \x08\x0c', notes="ملاحظات", image_url=SCAN
    )
    SupplierInvoice.objects.filter(pk=rows["due_today"].pk).update(
        description="", notes="", created_at=dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC)
    )
    SupplierInvoice.objects.filter(pk=rows["largest"].pk).update(image_url=SCAN + "?v=%22a%22&x=<b>")
    return rows


@pytest.mark.parametrize(
    "query",
    [
        "",
        "limit=2",
        "status=pending",
        "status=partially_paid&limit=1",
        "status=paid",
        "overdue=true",
        "overdue=false&limit=3",
        "issueDateFrom=2024-01-01&issueDateTo=2024-02-28&limit=2",
        "dueDateFrom=2024-02-25&dueDateTo=2024-03-10",
        "dueDateTo=2024-03-01&overdue=true&status=pending",
        "q=p-&limit=1",
        "q=nour",
        "q=مقتبس",
    ],
)
def test_the_list_is_written_as_python_writes_it(query, accountant_client, base_url, book, monkeypatch):
    invoices = _same_pages(accountant_client, f"{base_url}/supplier-invoices?{query}", monkeypatch)
    assert invoices  # each query finds some


def test_every_kind_of_invoice_is_written_as_python_writes_it(accountant_client, base_url, book, monkeypatch):
    invoices = _same_pages(accountant_client, f"{base_url}/supplier-invoices?limit=3", monkeypatch)
    assert [row["id"] for row in invoices] == [str(row.pk) for row in reversed(book.values())]
    by_id = {row["id"]: row for row in invoices}
    overdue = {key: by_id[str(row.pk)]["isOverdue"] for key, row in book.items()}
    assert overdue == {
        "pending_overdue": True,
        "partial_not_due": False,
        "partial_overdue": True,
        "paid_past_due": False,
        "due_today": False,
        "no_due_date": False,
        "largest": False,
    }
    partial, largest = by_id[str(book["partial_not_due"].pk)], by_id[str(book["largest"].pk)]
    assert (partial["totalAmount"], partial["paidAmount"], partial["remainingAmount"]) == (
        100.25,
        40.125,
        60.125,
    )
    assert partial["imageUrl"] == SCAN and partial["dueDate"] == "2024-03-10T00:00:00.000Z"
    assert largest["issueDate"] == "9999-12-30T00:00:00.000Z" and largest["dueDate"] is None
    assert by_id[str(book["no_due_date"].pk)]["issueDate"] == "0001-01-02T00:00:00.000Z"
    assert by_id[str(book["due_today"].pk)]["createdAt"] == "2024-02-29T23:59:59.999Z"


def test_a_suppliers_list_is_written_as_python_writes_it(
    accountant_client, base_url, book, supplier, monkeypatch
):
    invoices = _same_pages(
        accountant_client, f"{base_url}/suppliers/{supplier.pk}/invoices?limit=2", monkeypatch
    )
    assert [row["invoiceNumber"] for row in invoices] == ["فاتورة-٧", "P-2", "P-1"]


def test_the_compiled_list_follows_the_day(accountant_client, base_url, book, frozen_today):
    """Today is a parameter of the compiled statement, never frozen in it: a day later, the same shape of query
    finds and writes the invoice due today as overdue."""
    url = f"{base_url}/supplier-invoices?overdue=true"
    due_today = str(book["due_today"].pk)
    assert due_today not in [
        row["id"] for row in _written_by_database(accountant_client, url).json()["invoices"]
    ]
    frozen_today(TODAY + dt.timedelta(days=1))
    invoices = _written_by_database(accountant_client, url).json()["invoices"]
    assert {row["id"]: row["isOverdue"] for row in invoices}[due_today] is True
    everything = _written_by_database(accountant_client, f"{base_url}/supplier-invoices").json()["invoices"]
    assert {row["id"]: row["isOverdue"] for row in everything}[due_today] is True


# Any text an accountant can type (PostgreSQL refuses NUL in text; lone surrogates cannot reach the database).
TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
AMOUNTS = st.decimals(min_value=0, max_value=10**12, places=3)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=TEXTS, description=st.none() | TEXTS, notes=st.none() | TEXTS, total=AMOUNTS, part=AMOUNTS)
def test_any_text_and_amount_is_written_as_python_writes_it(
    accountant_client,
    base_url,
    workspace,
    supplier,
    frozen_today,
    monkeypatch,
    number,
    description,
    notes,
    total,
    part,
):
    frozen_today(TODAY)
    invoice = SupplierInvoice.objects.filter(workspace=workspace).first() or make_invoice(
        workspace, supplier, "H-1", due="2024-02-01"
    )
    paid = min(part, total)
    SupplierInvoice.objects.filter(pk=invoice.pk).update(
        invoice_number=number,
        description=description,
        notes=notes,
        total_amount=total,
        paid_amount=paid,
        remaining_amount=total - paid,
        status="paid" if paid == total else ("pending" if paid == 0 else "partially_paid"),
    )
    url = f"{base_url}/supplier-invoices"
    database = _written_by_database(accountant_client, url)
    assert database.content == _written_by_python(accountant_client, url, monkeypatch).content
    written = json.loads(database.content, parse_float=Decimal)["invoices"][0]
    assert (written["totalAmount"], written["remainingAmount"]) == (total, total - paid)
    assert written["isOverdue"] is (total > paid)
