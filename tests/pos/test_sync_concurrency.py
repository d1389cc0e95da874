"""Offline sales sent again and again at once (section 8d), on PostgreSQL with real threads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.models import StockMovement
from pos.models import PosInvoice
from tests.concurrency import run_together
from tests.conftest import client_for
from tests.pos.conftest import stock_of, stocked_product
from tests.pos.test_api_sync import sale_c

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_six_concurrent_syncs_of_the_same_five_sales_make_five_invoices(cashier, session, workspace, store):
    # Given: five sales of 3 cups each, made offline; 100 cups in stock
    cup = stocked_product(workspace, store, quantity="100", name="كوب", price="5")
    sales = [sale_c(store, cup) for _ in range(5)]
    url = f"/v1/workspace/{workspace.pk}/pos/sync"

    # When: the till's retries (and a second till holding a copy of the queue) send them six times at once
    results = run_together(
        6,
        lambda i: client_for(cashier).post(url, {"deviceId": f"till-{i % 2}", "sales": sales}, format="json"),
    )

    # Then: every request answered; each sale is one invoice, the same in every answer; the stock left once
    assert [kind for kind, _value in results] == ["ok"] * 6, results
    answers = [response.json()["results"] for _kind, response in results]
    assert all(response.status_code == 200 for _kind, response in results)
    for index, sale in enumerate(sales):
        outcomes = [answer[index] for answer in answers]
        assert {outcome["clientRef"] for outcome in outcomes} == {sale["clientRef"]}
        assert sorted(outcome["status"] for outcome in outcomes) == ["created"] + ["duplicate"] * 5
        assert len({outcome["invoice"]["id"] for outcome in outcomes}) == 1
    assert PosInvoice.objects.count() == 5
    assert sorted(PosInvoice.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert stock_of(cup, store) == Decimal(85)
    assert StockMovement.objects.filter(direction="out").count() == 5
