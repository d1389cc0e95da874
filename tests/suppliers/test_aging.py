"""Aging: what remains per supplier, by days past due on a date."""

import datetime as dt

import pytest

from suppliers.models import Supplier
from tests.suppliers.conftest import make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(workspace, supplier):
    other = Supplier.objects.create(workspace=workspace, name="Arabian Coffee")
    make_invoice(workspace, supplier, "N-1", "10", issue="2024-01-01")  # no due date: not due
    make_invoice(
        workspace, supplier, "N-2", "20", issue="2024-01-01", due="2024-03-31"
    )  # due on as-of: not due
    make_invoice(workspace, supplier, "D-1", "30", issue="2024-01-01", due="2024-03-30")  # 1 day
    make_invoice(
        workspace, supplier, "D-30", "40", issue="2024-01-01", due="2024-03-01", paid="15"
    )  # 30 days
    make_invoice(workspace, other, "D-31", "50", issue="2023-12-01", due="2024-02-29")  # 31 days
    make_invoice(workspace, other, "D-60", "60", issue="2023-12-01", due="2024-01-31")  # 60 days
    make_invoice(workspace, other, "D-61", "70", issue="2023-12-01", due="2024-01-30")  # 61 days
    make_invoice(workspace, other, "D-90", "80", issue="2023-10-01", due="2024-01-01")  # 90 days
    make_invoice(workspace, other, "D-91", "90.25", issue="2023-10-01", due="2023-12-31")  # 91 days
    make_invoice(
        workspace, other, "PAID", "100", issue="2023-10-01", due="2023-11-01", paid="100"
    )  # nothing left
    make_invoice(workspace, other, "LATER", "110", issue="2024-04-01")  # issued after as-of
    return other


def test_aging_on_a_fixed_date(accountant_client, base_url, supplier, book):
    response = accountant_client.get(f"{base_url}/supplier-invoices/aging?asOf=2024-03-31")
    assert response.status_code == 200
    assert response.json() == {
        "asOf": "2024-03-31",
        "currency": "SAR",
        "suppliers": [
            {
                "supplierId": str(book.pk),
                "name": "Arabian Coffee",
                "notDue": 0,
                "days1to30": 0,
                "days31to60": 110,
                "days61to90": 150,
                "over90": 90.25,
                "total": 350.25,
            },
            {
                "supplierId": str(supplier.pk),
                "name": "مؤسسة التوريدات الحديثة",
                "notDue": 30,
                "days1to30": 55,
                "days31to60": 0,
                "days61to90": 0,
                "over90": 0,
                "total": 85,
            },
        ],
        "totals": {
            "notDue": 30,
            "days1to30": 55,
            "days31to60": 110,
            "days61to90": 150,
            "over90": 90.25,
            "total": 435.25,
        },
    }


def test_as_of_defaults_to_the_workspace_today(accountant_client, base_url, book, frozen_today):
    frozen_today(dt.date(2024, 1, 2))
    body = accountant_client.get(f"{base_url}/supplier-invoices/aging").json()
    assert body["asOf"] == "2024-01-02"
    assert body["totals"]["over90"] == 0


def test_bad_as_of_is_400(accountant_client, base_url):
    response = accountant_client.get(f"{base_url}/supplier-invoices/aging?asOf=31-03-2024")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["asOf"]


def test_aging_is_one_query_after_auth(accountant_client, base_url, book, django_assert_num_queries):
    with django_assert_num_queries(2):
        accountant_client.get(f"{base_url}/supplier-invoices/aging?asOf=2024-03-31")
