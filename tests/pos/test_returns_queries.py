"""Creating a return stays at a fixed number of queries whatever the number of lines returned (issue: at most 12).

Counted as `tests/pos/test_query_counts.py` counts the till's writes: each request its own transaction, one BEGIN
and one COMMIT, authentication and the idempotency key included."""

from __future__ import annotations

import pytest

from tests.conftest import client_for, make_staff
from tests.pos.conftest import stocked_product
from tests.pos.test_query_counts import KEYED, _headers, statements
from workspaces import codes

pytestmark = pytest.mark.django_db(transaction=True)


def _sale(cashier_client, invoices_url, customer, workspace, store, lines, discounted):
    invoice = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    url = f"{invoices_url}/{invoice['id']}"
    if discounted:
        cashier_client.post(f"{url}/discounts", {"type": "percent", "value": 5}, format="json")
    for _ in range(lines):
        product = stocked_product(workspace, store)
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 2}, format="json")
    body = cashier_client.post(f"{url}/complete", {}, format="json").json()["invoice"]
    return url, [item["id"] for item in body["items"]]


@pytest.mark.parametrize("discounted", [False, True])
@pytest.mark.parametrize("key", [None, "till-1-return"])
@pytest.mark.parametrize("lines", [1, 20])
def test_a_return_is_constant_in_its_lines(
    cashier_client, invoices_url, customer, session, workspace, store, lines, key, discounted
):
    url, item_ids = _sale(cashier_client, invoices_url, customer, workspace, store, lines, discounted)
    supervisor = client_for(
        make_staff(workspace, codes.STORE_ORDERS_MANAGE, codes.POS_INVOICES_VOID, store=store)
    )
    body = {"items": [{"itemId": item_id, "quantity": 1} for item_id in item_ids], "reason": "back"}
    # the member; the sale's lines locked with the sale and the store's open session FOR SHARE (one statement);
    # the sale's payments and discounts (the default refund, the answer: one UNION ALL); the document counter; the
    # return; its lines; the sale's lines' returned quantities; the sale's returned total; the stock: the levels
    # raised (locked in primary-key order by the same statement), the movements.
    expected = 10 + (KEYED if key else 0)
    with statements() as found:
        response = supervisor.post(f"{url}/returns", body, format="json", **_headers(key))
    assert response.status_code == 201, response.content
    assert len(response.json()["return"]["items"]) == lines
    assert len(response.json()["invoice"]["discounts"]) == (1 if discounted else 0)
    assert len(response.json()["invoice"]["payments"]) == 1
    found.check(expected)
    assert expected <= 12
