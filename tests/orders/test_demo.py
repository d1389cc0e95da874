from decimal import Decimal

import pytest

from invoicing.demo import seed_invoicing_demo
from orders.demo import seed_orders_demo
from orders.models import Order, OrderInvoice, OrderLineItem

pytestmark = pytest.mark.django_db


def test_demo_orders_some_partly_invoiced_idempotently(workspace, store, owner):
    seed_invoicing_demo(workspace=workspace, store=store)
    seed_orders_demo(workspace=workspace, store=store)
    seed_orders_demo(workspace=workspace, store=store)

    orders = list(Order.objects.filter(workspace=workspace).order_by("pk"))
    assert [order.status for order in orders] == ["open", "open", "open", "cancelled"]
    assert {order.store_id for order in orders} == {store.pk}
    assert OrderInvoice.objects.count() == 2

    def invoiced(order):
        return [
            (i.invoiced_quantity, i.quantity)
            for i in OrderLineItem.objects.filter(order=order).order_by("pk")
        ]

    assert all(done == ordered for done, ordered in invoiced(orders[0]))  # fully invoiced
    assert invoiced(orders[1])[0] == (Decimal(8), Decimal(20))  # partly
    assert all(done == 0 for done, _ordered in invoiced(orders[1])[1:])
    assert all(done == 0 for done, _ordered in invoiced(orders[2]))
    # The invoiced order's invoice adds up to the order, its line discount included
    assert OrderInvoice.objects.filter(order=orders[0]).get().total == orders[0].total


def test_demo_without_products_adds_nothing(workspace, store, owner):
    seed_orders_demo(workspace=workspace, store=store)
    assert not Order.objects.exists()
