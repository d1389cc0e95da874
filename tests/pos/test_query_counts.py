"""The hot writes of a till stay at a fixed number of queries whatever the number of items.

Counted as production runs them: each request is its own transaction (`transaction=True`: no test transaction
around it turns the request's into a savepoint). A query is a statement that reads or writes rows; the
transaction's own statements are asserted apart: exactly one BEGIN and one COMMIT, no savepoint. The counts
include authentication (the user with their membership, one query) and, with an `Idempotency-Key`, the key's
lock and lookup (one statement on PostgreSQL; SQLite reads the record alone and takes no lock) and its record.
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pos.conftest import stocked_product

pytestmark = pytest.mark.django_db(transaction=True)

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
KEYED = 2  # the key's lock with its lookup, and its record


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


class Statements:
    def __init__(self, captured: list[dict]) -> None:
        sqls = [query["sql"] for query in captured]
        self.control = [sql for sql in sqls if sql.upper().startswith(CONTROL)]
        self.queries = [sql for sql in sqls if not sql.upper().startswith(CONTROL)]

    def check(self, expected: int) -> None:
        assert len(self.queries) == expected, "\n\n".join(self.queries)
        # SQLite's transactions begin IMMEDIATE (settings): the writers queue there.
        assert [sql.split()[0] for sql in self.control] == ["BEGIN", "COMMIT"], self.control


@contextmanager
def statements():
    with CaptureQueriesContext(connection) as context:
        found = Statements([])
        yield found
    found.__init__(context.captured_queries)


def _headers(key: str | None) -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": key} if key else {}


@pytest.mark.parametrize("discounted_client", [False, True])
@pytest.mark.parametrize("key", [None, "till-1-create"])
def test_create_is_constant(
    cashier_client, invoices_url, customer, session, new_invoice, key, discounted_client
):
    if discounted_client:
        customer.pos_discount_type, customer.pos_discount_value, customer.pos_discount_active = (
            "percent",
            10,
            True,
        )
        customer.save()
    new_invoice()  # the counter row exists from now on
    # the member; the open session FOR SHARE with the client's discount and the default order status; the
    # counter (one upsert); the invoice; the client's discount line when it has one; the event.
    expected = 5 + (1 if discounted_client else 0) + (KEYED if key else 0)
    for index in range(2):
        with statements() as found:
            response = cashier_client.post(
                invoices_url, {"clientId": customer.pk}, format="json", **_headers(key and f"{key}-{index}")
            )
        assert response.status_code == 201
        assert len(response.json()["invoice"]["discounts"]) == (1 if discounted_client else 0)
        found.check(expected)
    assert expected <= 8


def _draft_with_lines(cashier_client, invoices_url, new_invoice, workspace, store, lines, discounted=True):
    url = f"{invoices_url}/{new_invoice()['id']}"
    if discounted:
        cashier_client.post(f"{url}/discounts", {"type": "percent", "value": 5}, format="json")
    for _ in range(lines):
        product = stocked_product(workspace, store)
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
    return url


@pytest.mark.parametrize("discounted", [False, True])
@pytest.mark.parametrize("key", [None, "till-1-add"])
@pytest.mark.parametrize("items_before", [1, 20])
def test_add_item_is_constant(
    cashier_client, invoices_url, new_invoice, workspace, store, items_before, key, discounted
):
    url = _draft_with_lines(
        cashier_client, invoices_url, new_invoice, workspace, store, items_before, discounted
    )
    product = stocked_product(workspace, store)
    # the member; the product with its taxes (one join); the invoice locked with its items (one join: on
    # PostgreSQL with its discounts, elsewhere saying whether it has some); the new line; the invoice's totals
    # (on PostgreSQL with the discount's new amount: the other lines' figures did not change, not written); the
    # event. Elsewhere a percent discount costs two more: the discounts, the discount's new amount.
    expected = 6 + (2 if discounted and not _on_postgres() else 0) + (KEYED if key else 0)
    with statements() as found:
        response = cashier_client.post(
            f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json", **_headers(key)
        )
    assert response.status_code == 201
    assert len(response.json()["invoice"]["items"]) == items_before + 1
    found.check(expected)
    if _on_postgres():
        assert expected <= 8


@pytest.mark.parametrize("discounted", [False, True])
@pytest.mark.parametrize("key", [None, "till-1-complete"])
@pytest.mark.parametrize("items", [1, 20])
def test_complete_is_constant(
    cashier_client, invoices_url, new_invoice, workspace, store, items, key, discounted
):
    url = _draft_with_lines(cashier_client, invoices_url, new_invoice, workspace, store, items, discounted)
    # the member; the session FOR SHARE (found through the invoice); the invoice locked with its items (and its
    # discounts on PostgreSQL); the payments; the invoice; the event; last, the stock: the products with the ledger
    # check, the levels' locks, the movements, the levels. Elsewhere a discount costs one more (the discounts, for
    # the answer). The answer reads nothing more.
    expected = 10 + (1 if discounted and not _on_postgres() else 0) + (KEYED if key else 0)
    with statements() as found:
        response = cashier_client.post(f"{url}/complete", {}, format="json", **_headers(key))
    assert response.status_code == 200
    assert len(response.json()["invoice"]["items"]) == items
    found.check(expected)
    if _on_postgres():
        assert expected <= 12
    # The store's level rows, which every sale of the store needs, are taken after everything else is written.
    first_level = next(n for n, sql in enumerate(found.queries) if '"invoicing_stocklevel"' in sql)
    event = next(n for n, sql in enumerate(found.queries) if 'INSERT INTO "pos_posinvoiceevent"' in sql)
    assert first_level > event
