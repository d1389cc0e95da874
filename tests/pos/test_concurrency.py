"""Several terminals at once, on PostgreSQL with real threads."""

from decimal import Decimal

import pytest

from pos.models import PosInvoice
from tests.concurrency import run_together as shared_run_together
from tests.concurrency import values_of
from tests.conftest import client_for
from tests.pos.conftest import stock_of, stocked_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count, work):
    return values_of(shared_run_together(count, work))


def test_concurrent_creates_get_distinct_consecutive_numbers(cashier, invoices_url, session, customer):
    def create(_index):
        response = client_for(cashier).post(invoices_url, {"clientId": customer.pk}, format="json")
        return response.status_code, response.json()["invoice"]["publicId"]

    results = run_together(12, create)
    assert {status for status, _ in results} == {201}
    assert sorted(public_id for _, public_id in results) == [f"POS-{n:03d}" for n in range(1, 13)]
    assert PosInvoice.objects.count() == 12


def test_concurrent_completions_never_drive_stock_negative(
    cashier, invoices_url, session, customer, workspace, store
):
    last_units = stocked_product(workspace, store, quantity="3", name="آخر قطع")
    api = client_for(cashier)
    urls = []
    for _ in range(8):
        url = f"{invoices_url}/{api.post(invoices_url, {'clientId': customer.pk}, format='json').json()['invoice']['id']}"
        api.post(f"{url}/items", {"productId": last_units.pk, "quantity": 1}, format="json")
        urls.append(url)

    def complete(index):
        response = client_for(cashier).post(f"{urls[index]}/complete", {}, format="json")
        return response.status_code, response.json().get("code")

    results = run_together(8, complete)
    assert sorted(status for status, _ in results) == [200] * 3 + [422] * 5
    assert {code for status, code in results if status == 422} == {"insufficient_stock"}
    assert stock_of(last_units, store) == Decimal("0")
    assert PosInvoice.objects.filter(status="completed").count() == 3


def test_completing_one_invoice_from_two_terminals_deducts_once(
    cashier, invoices_url, session, customer, workspace, store
):
    product = stocked_product(workspace, store, quantity="10")
    api = client_for(cashier)
    url = f"{invoices_url}/{api.post(invoices_url, {'clientId': customer.pk}, format='json').json()['invoice']['id']}"
    api.post(f"{url}/items", {"productId": product.pk, "quantity": 4}, format="json")

    results = run_together(
        4, lambda _i: client_for(cashier).post(f"{url}/complete", {}, format="json").status_code
    )
    assert sorted(results) == [200, 422, 422, 422]
    assert stock_of(product, store) == Decimal("6")


def test_a_retried_create_with_the_same_idempotency_key_makes_one_invoice(
    cashier, invoices_url, session, customer
):
    def create(_index):
        response = client_for(cashier).post(
            invoices_url, {"clientId": customer.pk}, format="json", HTTP_IDEMPOTENCY_KEY="till-1-sale-42"
        )
        return response.status_code

    results = run_together(5, create)
    assert set(results) <= {201, 409}
    assert 201 in results
    assert PosInvoice.objects.count() == 1
    replay = client_for(cashier).post(
        invoices_url, {"clientId": customer.pk}, format="json", HTTP_IDEMPOTENCY_KEY="till-1-sale-42"
    )
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["invoice"]["publicId"] == "POS-001"


def test_closing_the_day_while_terminals_complete(
    owner, cashier, invoices_url, session, customer, workspace, store
):
    product = stocked_product(workspace, store, quantity="100")
    api = client_for(cashier)
    urls = []
    for _ in range(5):
        url = f"{invoices_url}/{api.post(invoices_url, {'clientId': customer.pk}, format='json').json()['invoice']['id']}"
        api.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
        urls.append(url)
    close_url = f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close"

    def act(index):
        if index == 5:
            return client_for(owner).post(close_url, {"cancelDrafts": True}, format="json").json()
        return client_for(cashier).post(f"{urls[index]}/complete", {}, format="json").status_code

    results = run_together(6, act)
    summary = results[5]["session"]["summary"]
    completed = PosInvoice.objects.filter(status="completed").count()
    # Every invoice is either completed (and counted in the Z-report) or cancelled by the close: none is lost.
    assert summary["invoiceCounts"] == {"draft": 0, "completed": completed, "cancelled": 5 - completed}
    assert stock_of(product, store) == Decimal(100 - completed)
    assert summary["netSales"] == completed * 10
