"""api2's deep pages and count (issue 18): a page past `DEEP_OFFSET` skips its offset in the list's index alone, with
the same rows in the same order as the plain slice and the same queries; `total_results` is exact up to
`COUNT_EXACT_UP_TO` rows and PostgreSQL's estimate past it."""

import pytest
from django.db import connection

from invoicing import sales_selectors
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.api2_helpers import body, key_client

pytestmark = pytest.mark.django_db

ROWS = 57


@pytest.fixture
def seeded(workspace):
    """57 invoices, three a day (so that the order's `-id` tie-break counts), two clients, two stores, drafts."""
    clients = [ClientFactory(workspace=workspace) for _ in range(2)]
    stores = [StoreFactory(workspace=workspace) for _ in range(2)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO invoicing_invoice (created_at, updated_at, number, currency, date, draft, discount,
              discount_amount, po_number, is_offline, summary_subtotal, summary_discount, summary_tax, summary_total,
              summary_paid, client_id, store_id, workspace_id)
            SELECT now(), now(), g, 'SAR', date '2026-01-01' + ((g * 7) %% 19), g %% 5 = 0, 0, 0, 'PO-' || g, false,
              10, 0, 0, 10, 0, CASE WHEN g %% 3 = 0 THEN %(c1)s ELSE %(c0)s END,
              CASE WHEN g %% 4 = 0 THEN %(s1)s ELSE %(s0)s END, %(workspace)s
            FROM generate_series(1, %(rows)s) g
            """,
            {"rows": ROWS, "c0": clients[0].pk, "c1": clients[1].pk, "s0": stores[0].pk, "s1": stores[1].pk,
             "workspace": workspace.pk},
        )  # fmt: skip
    return {"client": clients[1].pk, "store": stores[1].pk}


@pytest.mark.parametrize("deep", [0, 1000])
def test_every_page_is_the_plain_slice(workspace, seeded, monkeypatch, deep):
    monkeypatch.setattr(sales_selectors, "DEEP_OFFSET", deep)
    for filters in [{}, {"client_id": seeded["client"]}, {"store_id": seeded["store"]}, {"draft": False}]:
        invoices = sales_selectors.sales_invoice_list(workspace=workspace, filters=filters)
        total = invoices.count()
        expected = [invoice.pk for invoice in invoices]
        for limit in (1, 7, 20):
            for offset in range(0, total, limit):
                page = sales_selectors.sales_invoice_page(invoices, offset=offset, limit=limit)
                assert [invoice.pk for invoice in page] == expected[offset : offset + limit], (
                    filters,
                    offset,
                )


@pytest.mark.parametrize("page", [1, 3, 5, 6])
def test_a_deep_page_answers_alike_with_the_same_queries(
    workspace, seeded, monkeypatch, page, django_assert_num_queries
):
    api = key_client(workspace)
    shallow = body(api.get(f"/api2/invoices.json?page={page}&limit=10"))
    monkeypatch.setattr(sales_selectors, "DEEP_OFFSET", 0)
    # The API key, the count, the page: as a shallow page (test_api2_contract.LIST_QUERIES).
    with django_assert_num_queries(3):
        deep = body(api.get(f"/api2/invoices.json?page={page}&limit=10"))
    assert deep == shallow
    assert deep["pagination"] == {"page": page, "limit": 10, "total_results": ROWS, "total_pages": 6}


def test_the_count_is_exact_up_to_the_threshold(workspace, seeded, monkeypatch):
    invoices = sales_selectors.sales_invoice_list(workspace=workspace)
    assert sales_selectors.sales_invoice_count(invoices) == (ROWS, True)
    monkeypatch.setattr(sales_selectors, "COUNT_EXACT_UP_TO", ROWS)
    assert sales_selectors.sales_invoice_count(invoices) == (ROWS, True)


@pytest.mark.postgres
def test_past_the_threshold_the_count_is_an_estimate_and_every_page_is_read(
    workspace, seeded, monkeypatch, django_assert_num_queries
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")
    monkeypatch.setattr(sales_selectors, "COUNT_EXACT_UP_TO", 10)
    invoices = sales_selectors.sales_invoice_list(workspace=workspace)
    total, exact = sales_selectors.sales_invoice_count(invoices)
    assert not exact and total >= 11
    api = key_client(workspace)
    # The API key, the bounded count, the estimate, the page.
    with django_assert_num_queries(4):
        last = body(api.get("/api2/invoices.json?page=6&limit=10"))
    assert len(last["data"]) == 7
    assert last["pagination"]["total_results"] == total
