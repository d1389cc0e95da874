"""The hot writes of a till stay at a fixed number of queries whatever the number of items.

Each request reads the invoice once (under its lock, scoped to the workspace) and answers from the rows in hand.
The counts include authentication (the user, the membership) and, with an `Idempotency-Key`, the key's advisory
lock, its lookup and its record. Under pytest's per-test transaction every service transaction is a savepoint (2
queries) that a production request, whose outermost transaction it is, does not pay.
"""

import pytest
from django.db import connection

from tests.pos.conftest import stocked_product

pytestmark = pytest.mark.django_db


def idempotency_cost() -> int:
    """The key's advisory lock (PostgreSQL only), its lookup and its record; and the service's transaction becomes
    a savepoint (2) inside the request's."""
    return (3 if connection.vendor == "postgresql" else 2) + 2


def _headers(key: str | None) -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": key} if key else {}


@pytest.mark.parametrize("key", [None, "till-1-create"])
def test_create_is_constant(
    cashier_client, invoices_url, customer, session, django_assert_num_queries, new_invoice, key
):
    new_invoice()  # the counter row exists from now on
    # auth 2, client, savepoint 2, default order status, session FOR SHARE, counter (one upsert), insert, event.
    # The answer reads nothing.
    expected = 10 + (idempotency_cost() if key else 0)
    for index in range(2):
        with django_assert_num_queries(expected):
            response = cashier_client.post(
                invoices_url, {"clientId": customer.pk}, format="json", **_headers(key and f"{key}-{index}")
            )
        assert response.status_code == 201


def _draft_with_lines(cashier_client, invoices_url, new_invoice, workspace, store, lines, discounted=True):
    url = f"{invoices_url}/{new_invoice()['id']}"
    if discounted:
        cashier_client.post(f"{url}/discounts", {"type": "percent", "value": 5}, format="json")
    for _ in range(lines):
        product = stocked_product(workspace, store)
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
    return url


@pytest.mark.parametrize("discounted", [True, False])
@pytest.mark.parametrize("key", [None, "till-1-add"])
@pytest.mark.parametrize("items_before", [1, 20])
def test_add_item_is_constant(
    cashier_client,
    invoices_url,
    new_invoice,
    workspace,
    store,
    django_assert_num_queries,
    items_before,
    key,
    discounted,
):
    url = _draft_with_lines(
        cashier_client, invoices_url, new_invoice, workspace, store, items_before, discounted
    )
    product = stocked_product(workspace, store)
    # auth 2, the product with its taxes (one join), savepoint 2, invoice lock (it says whether there are
    # discounts), items, the new line with its figures, invoice update, event; with a percent discount, the
    # discounts and the discount's new amount (the other lines' figures did not change: not written).
    expected = 10 + (2 if discounted else 0) + (idempotency_cost() if key else 0)
    with django_assert_num_queries(expected):
        response = cashier_client.post(
            f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json", **_headers(key)
        )
    assert response.status_code == 201
    assert len(response.json()["invoice"]["items"]) == items_before + 1


@pytest.mark.parametrize("discounted", [True, False])
@pytest.mark.parametrize("key", [None, "till-1-complete"])
@pytest.mark.parametrize("items", [1, 20])
def test_complete_is_constant(
    cashier_client,
    invoices_url,
    new_invoice,
    workspace,
    store,
    django_assert_num_queries,
    items,
    key,
    discounted,
):
    url = _draft_with_lines(cashier_client, invoices_url, new_invoice, workspace, store, items, discounted)
    # auth 2, savepoint 2, session FOR SHARE (found through the invoice), invoice lock, items; stock (savepoint 2,
    # products with the ledger check, level locks, movements, levels update); payments, invoice update, event;
    # with a discount, the discounts (for the answer). The answer reads nothing more.
    expected = 16 + (1 if discounted else 0) + (idempotency_cost() if key else 0)
    with django_assert_num_queries(expected):
        response = cashier_client.post(f"{url}/complete", {}, format="json", **_headers(key))
    assert response.status_code == 200
    assert len(response.json()["invoice"]["items"]) == items
