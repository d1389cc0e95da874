"""The hot writes of a till stay at a fixed number of queries whatever the number of items."""

import pytest

from tests.pos.conftest import stocked_product

pytestmark = pytest.mark.django_db


def test_create_is_constant(
    cashier_client, invoices_url, customer, session, django_assert_num_queries, new_invoice
):
    new_invoice()  # the counter row exists from now on
    # auth 2, client, open sessions, session lock, counter (insert-or-ignore, lock, update), default status,
    # insert, event, savepoints 2, the answer's re-read 4.
    for _ in range(2):
        with django_assert_num_queries(17):
            assert (
                cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").status_code == 201
            )


@pytest.mark.parametrize("items_before", [1, 8])
def test_add_item_is_constant(
    cashier_client, invoices_url, new_invoice, workspace, store, django_assert_num_queries, items_before
):
    products = [stocked_product(workspace, store) for _ in range(items_before + 1)]
    url = f"{invoices_url}/{new_invoice()['id']}"
    cashier_client.post(f"{url}/discounts", {"type": "percent", "value": 5}, format="json")
    for product in products[:-1]:
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
    # auth 2, invoice, product + taxes, invoice lock, insert, items, discounts, one bulk update of each,
    # invoice update, event, savepoints 2, the answer's re-read 4.
    with django_assert_num_queries(19):
        response = cashier_client.post(
            f"{url}/items", {"productId": products[-1].pk, "quantity": 1}, format="json"
        )
    assert response.status_code == 201
    assert len(response.json()["invoice"]["items"]) == items_before + 1


@pytest.mark.parametrize("items", [1, 8])
def test_complete_is_constant(
    cashier_client, invoices_url, new_invoice, workspace, store, django_assert_num_queries, items
):
    url = f"{invoices_url}/{new_invoice()['id']}"
    for _ in range(items):
        product = stocked_product(workspace, store)
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
    # auth 2, invoice, session lock, invoice lock, items, store; stock: products, levels insert-or-ignore, level
    # locks, ledger check, movements, levels update; payments, invoice update, event, savepoints 4, re-read 4.
    with django_assert_num_queries(24):
        response = cashier_client.post(f"{url}/complete", {}, format="json")
    assert response.status_code == 200
