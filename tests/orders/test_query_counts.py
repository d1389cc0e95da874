"""Query counts do not grow with the number of line items, orders or invoices."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.invoicing.factories import ProductFactory
from tests.orders.conftest import make_order, token_client
from workspaces import json_sql

pytestmark = pytest.mark.django_db


def lines(count):
    return [(f"Item {n}", "3", "10", "1") for n in range(count)]


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 300, response.content
    return len(captured)


@pytest.mark.parametrize("size", [1, 25])
def test_post_invoices_is_constant_in_the_number_of_line_items(
    owner, workspace, vat, size, django_assert_num_queries
):
    api = token_client(owner)
    order = make_order(workspace, owner, [(*line, [vat]) for line in lines(size)])
    # auth (user, membership) 2, savepoint 2, lock order 1, lines 1, the store's ZATCA device (none) 1, invoice 1,
    # invoice lines 1, bulk update 1, order updated_at 1, render (invoice + creator, lines, ZATCA document) 3
    with django_assert_num_queries(14):
        response = api.post("/invoices", {"orderId": order.pk}, format="json")
    assert response.status_code == 201
    assert len(response.json()["data"]["lineItems"]) == size


@pytest.mark.parametrize("size", [1, 25])
def test_post_orders_is_constant_in_the_number_of_lines(
    owner, workspace, vat, size, django_assert_num_queries
):
    api = token_client(owner)
    products = [ProductFactory(workspace=workspace, taxes=[vat]) for _ in range(size)]
    body = {
        "lineItems": [
            {"productId": product.pk, "name": product.name, "quantity": 2, "unitPrice": 5}
            for product in products
        ]
    }
    # auth 2, savepoint 2, the default store 1, products 1, their taxes 1, order 1, lines 1, render (order, lines) 2
    with django_assert_num_queries(11):
        response = api.post("/orders", body, format="json")
    assert response.status_code == 201


def test_lists_are_constant_in_the_number_of_rows(owner, workspace):
    api = token_client(owner)
    make_order(workspace, owner, lines(2))
    api.post("/invoices", {"orderId": make_order(workspace, owner, lines(2)).pk}, format="json")
    few_orders, few_invoices = queries(lambda: api.get("/orders")), queries(lambda: api.get("/invoices"))
    for _ in range(6):
        order = make_order(workspace, owner, lines(8))
        api.post("/invoices", {"orderId": order.pk}, format="json")
    # auth 2; PostgreSQL writes each page's answers in one statement (`orders.api.json_rows`), else orders 1 and
    # their lines 1, invoices + creators 1, their lines 1 and their ZATCA documents 1
    written = json_sql.available()
    assert queries(lambda: api.get("/orders")) == few_orders == (3 if written else 4)
    assert queries(lambda: api.get("/invoices")) == few_invoices == (3 if written else 5)
