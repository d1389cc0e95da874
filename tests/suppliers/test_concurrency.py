"""Accountants at several desks at once, on PostgreSQL with real threads."""

from decimal import Decimal

import pytest

from suppliers.models import SupplierInvoice, SupplierPayment
from tests.concurrency import run_together, values_of
from tests.conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_creates_of_one_number_give_exactly_one_201(accountant, invoices_url):
    spellings = ["INV-77", " inv-77", "INV-٧٧", "Inv-۷۷", "INV-77 ", "inv-77", "INV-77", "iNV-7٧"]

    def create(index):
        body = {"invoiceNumber": spellings[index], "totalAmount": 10, "issueDate": "2024-01-15"}
        response = client_for(accountant).post(invoices_url, body, format="json")
        return response.status_code, response.json().get("code")

    results = values_of(run_together(len(spellings), create))
    assert sorted(status for status, _code in results) == [201] + [409] * (len(spellings) - 1)
    assert {code for status, code in results if status == 409} == {"duplicate_invoice_number"}
    assert SupplierInvoice.objects.count() == 1


def test_concurrent_payments_never_take_remaining_below_zero(accountant, invoices_url, new_invoice):
    invoice = new_invoice(totalAmount=100)
    url = f"{invoices_url}/{invoice['id']}/payments"

    def pay(_index):
        response = client_for(accountant).post(url, {"amount": 30}, format="json")
        return response.status_code, response.json().get("code")

    results = values_of(run_together(8, pay))
    assert sorted(status for status, _code in results) == [201] * 3 + [422] * 5
    assert {code for status, code in results if status == 422} == {"overpayment"}
    stored = SupplierInvoice.objects.get()
    assert (stored.paid_amount, stored.remaining_amount, stored.status) == (
        Decimal("90"),
        Decimal("10"),
        "partially_paid",
    )
    assert sum(p.amount for p in SupplierPayment.objects.all()) == Decimal("90")


def test_deleting_while_paying_never_loses_a_payment(accountant, invoices_url, new_invoice):
    invoice = new_invoice(totalAmount=100)
    url = f"{invoices_url}/{invoice['id']}"

    def work(index):
        api = client_for(accountant)
        response = api.post(f"{url}/payments", {"amount": 5}, format="json") if index % 2 else api.delete(url)
        return response.status_code

    statuses = values_of(run_together(6, work))
    if SupplierInvoice.objects.exists():
        stored = SupplierInvoice.objects.get()
        assert stored.paid_amount == sum(p.amount for p in SupplierPayment.objects.all())
        assert stored.paid_amount + stored.remaining_amount == stored.total_amount
    else:
        assert not SupplierPayment.objects.exists()
    assert set(statuses) <= {201, 204, 404, 409}
