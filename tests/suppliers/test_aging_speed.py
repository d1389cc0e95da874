"""Aging written by PostgreSQL (`suppliers.api.aging_json`): the same bytes as the selector's rows rendered by
Python, whatever the names, amounts and day, in one query after authentication."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suppliers.models import Supplier
from tests.suppliers.conftest import make_invoice
from workspaces import json_sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _get(client, url, monkeypatch, *, database: bool):
    with monkeypatch.context() as patch:
        if not database:
            patch.setattr(json_sql, "available", lambda: False)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    assert response.status_code == 200, response.content
    written_by_database = any("trim_scale" in query["sql"] for query in queries.captured_queries)
    assert written_by_database == database
    return response


@pytest.fixture
def book(workspace, supplier):
    odd = Supplier.objects.create(workspace=workspace, name='Nour "الشرق" \\ \t\n\x01\x1f\x7f\u2028 🧾')
    same_name = Supplier.objects.create(workspace=workspace, name=odd.name)  # ordered by id after the name
    Supplier.objects.create(workspace=workspace, name="Nothing owed")
    make_invoice(workspace, supplier, "N-1", "10.5", issue="2024-01-01")  # no due date
    make_invoice(workspace, supplier, "N-2", "20", issue="2024-01-01", due="2024-03-31")
    make_invoice(workspace, supplier, "D-30", "40", issue="2024-01-01", due="2024-03-01", paid="15.125")
    make_invoice(workspace, odd, "D-31", "0.001", issue="2023-12-01", due="2024-02-29")
    # On 2024-03-31 a bound of each bucket: 30 days (D-30), 60 (D-60), 90 (D-90), due on the day (N-2).
    make_invoice(workspace, odd, "D-60", "60.5", issue="2023-12-01", due="2024-01-31")
    make_invoice(workspace, odd, "D-61", "999999999999999.999", issue="2023-12-01", due="2024-01-30")
    make_invoice(workspace, odd, "D-91", "90.25", issue="2023-10-01", due="2023-12-31")
    make_invoice(workspace, same_name, "D-90", "80.100", issue="2023-10-01", due="2024-01-01")
    make_invoice(workspace, same_name, "PAID", "100", issue="2023-10-01", due="2023-11-01", paid="100")
    make_invoice(workspace, same_name, "LATER", "110", issue="2024-04-01")
    return odd


@pytest.mark.parametrize("as_of", ["2024-03-31", "2024-01-15", "2023-10-01", "2023-01-01", "2030-01-01"])
def test_aging_is_written_as_python_writes_it(as_of, accountant_client, base_url, book, monkeypatch):
    url = f"{base_url}/supplier-invoices/aging?asOf={as_of}"
    database = _get(accountant_client, url, monkeypatch, database=True)
    assert database.content == _get(accountant_client, url, monkeypatch, database=False).content


def test_no_open_invoice_is_an_empty_report(accountant_client, base_url, monkeypatch):
    url = f"{base_url}/supplier-invoices/aging?asOf=2024-03-31"
    body = _get(accountant_client, url, monkeypatch, database=True).json()
    assert body["suppliers"] == []
    assert body["totals"] == dict.fromkeys(
        ["notDue", "days1to30", "days31to60", "days61to90", "over90", "total"], 0
    )


def test_the_rows_follow_the_names_then_the_ids(accountant_client, base_url, supplier, book, monkeypatch):
    body = _get(
        accountant_client, f"{base_url}/supplier-invoices/aging?asOf=2024-03-31", monkeypatch, database=True
    ).json()
    odd_ids = sorted(s.pk for s in Supplier.objects.filter(name=book.name))
    assert [row["supplierId"] for row in body["suppliers"]] == [*map(str, odd_ids), str(supplier.pk)]
    assert (
        body["suppliers"][0]["days61to90"] == 999999999999999.999
    )  # an exact literal (parsed as a float here)
    assert body["totals"]["over90"] == 90.25


def test_aging_by_the_database_is_one_query_after_auth(
    accountant_client, base_url, book, django_assert_num_queries
):
    assert dt.date(2024, 3, 31)  # the book's as-of
    with django_assert_num_queries(2):
        accountant_client.get(f"{base_url}/supplier-invoices/aging?asOf=2024-03-31")
