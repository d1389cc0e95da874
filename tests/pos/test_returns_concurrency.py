"""Returns racing each other and a close, on PostgreSQL with real threads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos.models import PosInvoiceItem, PosReturn
from tests.concurrency import run_together
from tests.conftest import client_for, make_staff
from tests.pos.conftest import stock_of, stocked_product
from workspaces import codes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_one_unit_returns_of_a_line_of_three_make_three_credit_notes(
    cashier_client, invoices_url, customer, session, workspace, store
):
    # Given: a completed sale of 3 cups; 7 left in stock
    cup = stocked_product(workspace, store, quantity="10", name="كوب")
    invoice = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    url = f"{invoices_url}/{invoice['id']}"
    line = cashier_client.post(f"{url}/items", {"productId": cup.pk, "quantity": 3}, format="json").json()
    assert cashier_client.post(f"{url}/complete", {}, format="json").status_code == 200
    item_id = line["invoice"]["items"][0]["id"]
    supervisor = make_staff(workspace, codes.STORE_ORDERS_MANAGE, codes.POS_INVOICES_VOID, store=store)

    # When: eight tills return one cup each, at the same moment
    results = run_together(
        8,
        lambda _i: client_for(supervisor).post(
            f"{url}/returns", {"items": [{"itemId": item_id, "quantity": 1}], "reason": "race"}, format="json"
        ),
    )

    # Then: three credit notes, numbered without a gap; five refusals naming the line; three cups back
    statuses = sorted(response.status_code for kind, response in results if kind == "ok")
    assert [kind for kind, _value in results] == ["ok"] * 8, results
    assert statuses == [201] * 3 + [400] * 5
    refused = [r.json() for _k, r in results if r.status_code == 400]
    assert all(
        body["errors"] == {"items.0.quantity": ["At most 0 of “كوب” can be returned."]} for body in refused
    )
    assert sorted(PosReturn.objects.values_list("public_id", flat=True)) == ["CN-001", "CN-002", "CN-003"]
    assert PosInvoiceItem.objects.get(pk=item_id).returned_quantity == Decimal(3)
    assert stock_of(cup, store) == Decimal(10)


def test_a_close_racing_returns_counts_each_once(
    cashier_client, owner, invoices_url, customer, session, workspace, store
):
    # Given: four completed sales of one cup each, paid in cash
    cup = stocked_product(workspace, store, quantity="10", name="كوب", price="5")
    urls = []
    for _ in range(4):
        invoice = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()[
            "invoice"
        ]
        url = f"{invoices_url}/{invoice['id']}"
        cashier_client.post(f"{url}/items", {"productId": cup.pk, "quantity": 1}, format="json")
        assert cashier_client.post(f"{url}/complete", {}, format="json").status_code == 200
        urls.append(url)
    close_url = f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close"

    # When: four returns and the close, at once
    def work(index: int):
        if index == 4:
            return client_for(owner).post(close_url, {}, format="json")
        return client_for(owner).post(f"{urls[index]}/returns", {"reason": "race"}, format="json")

    results = [response for _kind, response in run_together(5, work)]

    # Then: each return either landed before the close and is in its Z-report, or found the day closed
    close = results[4]
    assert close.status_code == 200, close.content
    made = [r for r in results[:4] if r.status_code == 201]
    assert all(
        r.status_code == 422 and r.json()["code"] == "no_open_session" for r in results[:4] if r not in made
    )
    z_report = close.json()["session"]["summary"]
    assert z_report["returnCounts"] == {"returns": len(made), "invoices": len(made)}
    assert Decimal(str(z_report["returnTotal"])) == Decimal(5 * len(made))
    assert PosReturn.objects.filter(session=session).count() == len(made)
    # 100 opening + 4 × 5 cash - the cash refunds
    assert Decimal(str(z_report["expectedCash"])) == Decimal(120 - 5 * len(made))
