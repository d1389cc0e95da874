"""Several platforms invoicing one order at once, on PostgreSQL with real threads."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderInvoice, OrderInvoiceLine, OrderLineItem
from tests.concurrency import run_together, values_of
from tests.orders.conftest import SEED_LINES, make_order, token_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_five_concurrent_full_invoices_give_one_201_and_four_409(workspace, owner, vat):
    order = make_order(workspace, owner, [(*line, [vat]) for line in SEED_LINES])

    def invoice(_index):
        response = token_client(owner).post("/invoices", {"orderId": str(order.pk)}, format="json")
        return response.status_code, response.json()

    results = values_of(run_together(5, invoice))
    assert sorted(status for status, _body in results) == [201, 409, 409, 409, 409]
    assert [body for status, body in results if status == 409] == [
        {"success": False, "message": "Order already fully invoiced"}
    ] * 4
    assert OrderInvoice.objects.count() == 1
    for item in OrderLineItem.objects.filter(order=order):
        invoiced = sum(line.quantity for line in OrderInvoiceLine.objects.filter(line_item=item))
        assert invoiced == item.invoiced_quantity == item.quantity
    assert OrderInvoice.objects.get().total == Decimal("3684.78")


def test_concurrent_partial_invoices_never_take_a_unit_twice(workspace, owner):
    order = make_order(workspace, owner, [("Dates box", "5", "20", "5")])
    item = OrderLineItem.objects.get(order=order)

    def invoice(_index):
        body = {"orderId": order.pk, "lineItems": [{"lineItemId": item.pk, "quantity": 2}]}
        return token_client(owner).post("/invoices", body, format="json").status_code

    statuses = values_of(run_together(6, invoice))
    # 5 units: two invoices of 2 fit, then 1 remains (too few for 2: 400), then nothing (409)
    assert sorted(statuses).count(201) == 2
    assert set(statuses) <= {201, 400}
    item.refresh_from_db()
    assert item.invoiced_quantity == Decimal("4")
    assert sum(line.quantity for line in OrderInvoiceLine.objects.all()) == Decimal("4")
    assert item.invoiced_discount == Decimal("4")  # 5 × 2/5 = 2.00 per invoice


def test_cancel_racing_an_invoice_never_leaves_a_cancelled_order_invoiced(workspace, owner):
    order = make_order(workspace, owner, [("Tea", "3", "8", "0")])

    def work(index):
        api = token_client(owner)
        if index == 0:
            return api.post(f"/orders/{order.pk}/cancel", format="json").status_code
        return api.post("/invoices", {"orderId": order.pk}, format="json").status_code

    statuses = values_of(run_together(2, work))
    order.refresh_from_db()
    if order.status == Order.Status.CANCELLED:
        assert statuses == [200, 422] and not OrderInvoice.objects.exists()
    else:
        assert statuses == [422, 201] and OrderInvoice.objects.count() == 1
