"""api2's deep pages and count (issue 18): a page past `DEEP_OFFSET` skips its offset in the list's index alone, with
the same rows in the same order as the plain slice and the same queries; `total_results` is exact up to
`COUNT_EXACT_UP_TO` rows and PostgreSQL's estimate past it."""

import datetime as dt

import pytest
from django.db import connection

from invoicing import sales_selectors
from invoicing.models import Invoice
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.api2_helpers import body, key_client

pytestmark = pytest.mark.django_db

ROWS = 57


@pytest.fixture
def seeded(workspace):
    """57 invoices, three a day (so that the order's `-id` tie-break counts), two clients, two stores, drafts."""
    clients = [ClientFactory(workspace=workspace) for _ in range(2)]
    stores = [StoreFactory(workspace=workspace) for _ in range(2)]
    Invoice.objects.bulk_create(
        Invoice(
            workspace=workspace,
            number=g,
            currency="SAR",
            date=dt.date(2026, 1, 1) + dt.timedelta(days=(g * 7) % 19),
            draft=g % 5 == 0,
            discount=0,
            discount_amount=0,
            po_number=f"PO-{g}",
            is_offline=False,
            summary_subtotal=10,
            summary_discount=0,
            summary_tax=0,
            summary_total=10,
            summary_paid=0,
            client=clients[1] if g % 3 == 0 else clients[0],
            store=stores[1] if g % 4 == 0 else stores[0],
        )
        for g in range(1, ROWS + 1)
    )
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
    # The API key, the count, the page, its ZATCA documents: as a shallow page (test_api2_contract.LIST_QUERIES).
    with django_assert_num_queries(4):
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
    # A client's list (the day counts serve the unfiltered and date-filtered lists: test_api2_day_counts).
    filters = {"client_id": seeded["client"]}
    invoices = sales_selectors.sales_invoice_list(workspace=workspace, filters=filters)
    total, exact = sales_selectors.sales_invoice_count(invoices)
    assert not exact and total >= 11
    api = key_client(workspace)
    # The API key, the bounded count, the estimate, the page, its ZATCA documents.
    with django_assert_num_queries(5):
        last = body(api.get(f"/api2/invoices.json?client_id={seeded['client']}&page=2&limit=10"))
    assert len(last["data"]) == invoices.count() - 10 == 9
    assert last["pagination"]["total_results"] == total
