"""api2's day counts (issue 18): PostgreSQL's triggers keep `SalesInvoiceDay` equal to the invoices of each day
whatever writes them, and the list reads them for an exact `total_results` and a deep page reached without
skipping its offset: the same rows in the same order as the plain slice, in as many queries at any depth."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Count

from invoicing import sales_selectors
from invoicing.models import Invoice, SalesInvoiceDay
from tests.concurrency import run_together, values_of
from tests.factories import ClientFactory, StoreFactory, WorkspaceFactory
from tests.invoicing.api2_helpers import body, key_client, post_invoice

pytestmark = pytest.mark.postgres

DAY = dt.date(2026, 1, 1)


def invoices(workspace, dates, *, first=1):
    """Invoices of `workspace` on `dates` (one each, numbered from `first`), in one INSERT."""
    client = ClientFactory(workspace=workspace)
    store = StoreFactory(workspace=workspace)
    return Invoice.objects.bulk_create(
        Invoice(
            workspace=workspace,
            number=first + n,
            client=client,
            store=store,
            currency="SAR",
            date=date,
            draft=n % 4 == 0,
            po_number=f"PO-{first + n}",
        )
        for n, date in enumerate(dates)
    )


def day_counts(workspace) -> dict[dt.date, int]:
    return dict(
        SalesInvoiceDay.objects.filter(workspace=workspace, invoices__gt=0).values_list("date", "invoices")
    )


def counted(workspace) -> dict[dt.date, int]:
    """What the day counts must say: the invoices grouped by date."""
    rows = Invoice.objects.filter(workspace=workspace).values("date").annotate(n=Count("pk"))
    return {row["date"]: row["n"] for row in rows}


@pytest.fixture
def spread(workspace):
    """41 invoices over 9 days, unevenly (a day of 1, a day of 12), and another workspace's on the same days."""
    dates = [
        DAY + dt.timedelta(days=d)
        for d, times in enumerate([3, 1, 12, 0, 5, 7, 2, 0, 11])
        for _ in range(times)
    ]
    invoices(workspace, dates)
    invoices(WorkspaceFactory(), dates[:9])
    return workspace


@pytest.mark.django_db
def test_every_write_keeps_the_day_counts(spread):
    workspace = spread
    assert day_counts(workspace) == counted(workspace) != {}
    assert sum(day_counts(workspace).values()) == 41

    moved = Invoice.objects.filter(workspace=workspace).order_by("pk").first()
    moved.date = DAY + dt.timedelta(days=30)
    moved.save()  # a save that changes the date moves the invoice
    Invoice.objects.filter(workspace=workspace, date=DAY + dt.timedelta(days=2)).update(
        date=DAY + dt.timedelta(days=3)
    )
    kept = Invoice.objects.filter(workspace=workspace).order_by("pk").last()
    kept.notes = "a save that keeps the date moves nothing"
    kept.save()
    Invoice.objects.filter(workspace=workspace, date=DAY + dt.timedelta(days=4)).delete()
    invoices(workspace, [DAY, DAY + dt.timedelta(days=60)], first=1000)

    assert day_counts(workspace) == counted(workspace)
    assert day_counts(workspace)[DAY + dt.timedelta(days=3)] == 12
    assert DAY + dt.timedelta(days=4) not in day_counts(workspace)
    assert sum(day_counts(workspace).values()) == 41 - 5 + 2


@pytest.mark.django_db
def test_an_invoice_made_through_the_api_is_counted(workspace):
    from tests.invoicing.factories import ProductFactory

    client = ClientFactory(workspace=workspace)
    store = StoreFactory(workspace=workspace)
    product = ProductFactory(workspace=workspace)
    payload = {
        "Invoice": {
            "client_id": client.pk,
            "store_id": store.pk,
            "date": "2026-03-04",
            "draft": 1,
            "InvoiceItem": [{"product_id": product.pk, "quantity": 1, "unit_price": 10}],
        }
    }
    assert post_invoice(key_client(workspace), payload).status_code == 202
    assert day_counts(workspace) == {dt.date(2026, 3, 4): 1}


@pytest.mark.django_db
@pytest.mark.parametrize("deep", [0, 1000])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"date_from": DAY + dt.timedelta(days=2)},
        {"date_to": DAY + dt.timedelta(days=5)},
        {"date_from": DAY + dt.timedelta(days=1), "date_to": DAY + dt.timedelta(days=6)},
        {"date_from": DAY + dt.timedelta(days=3), "date_to": DAY + dt.timedelta(days=3)},  # a day with none
        {"date_from": DAY + dt.timedelta(days=100)},
    ],
)
def test_every_window_is_the_plain_slice_with_its_exact_total(spread, monkeypatch, filters, deep):
    monkeypatch.setattr(sales_selectors, "DEEP_OFFSET", deep)
    monkeypatch.setattr(sales_selectors, "COUNT_EXACT_UP_TO", 5)  # the day counts are exact at any size
    workspace = spread
    expected = [
        invoice.pk for invoice in sales_selectors.sales_invoice_list(workspace=workspace, filters=filters)
    ]
    for limit in (1, 5, 20):
        for offset in [*range(0, len(expected) + limit, limit), len(expected) + 100]:
            window = sales_selectors.sales_invoice_window(
                workspace=workspace, filters=filters, offset=offset, limit=limit
            )
            assert [invoice.pk for invoice in window.rows] == expected[offset : offset + limit], (
                offset,
                limit,
            )
            assert (window.total, window.exact) == (len(expected), True)


@pytest.mark.django_db
@pytest.mark.parametrize("page", [1, 4, 9, 10])
def test_a_page_at_any_depth_reads_the_same_queries(spread, monkeypatch, page, django_assert_num_queries):
    monkeypatch.setattr(sales_selectors, "COUNT_EXACT_UP_TO", 5)
    expected = [invoice.pk for invoice in sales_selectors.sales_invoice_list(workspace=spread)]
    api = key_client(spread)
    # The API key, the day counts, the page, its ZATCA documents (test_api2_contract.LIST_QUERIES); past the last
    # page, nothing is read after the day counts.
    with django_assert_num_queries(4 if page <= 9 else 2):
        answer = body(api.get(f"/api2/invoices.json?page={page}&limit=5&date_to=2026-12-31"))
    assert [row["Invoice"]["id"] for row in answer["data"]] == expected[(page - 1) * 5 : page * 5]
    assert answer["pagination"] == {"page": page, "limit": 5, "total_results": 41, "total_pages": 9}


@pytest.mark.django_db
def test_a_page_far_past_the_end_is_empty_with_the_exact_total(spread, django_assert_num_queries):
    """Page 10^12 (the largest `page`): an offset past a 32-bit integer is compared as a bigint, never a 500."""
    api = key_client(spread)
    with django_assert_num_queries(2):  # the API key, the day counts
        answer = body(api.get("/api2/invoices.json?page=1000000000000&limit=100&date_to=2026-12-31"))
    assert answer["data"] == []
    assert answer["pagination"] == {
        "page": 10**12,
        "limit": 100,
        "total_results": 41,
        "total_pages": 1,
    }


@pytest.mark.django_db
def test_an_empty_list_counts_nothing(workspace, django_assert_num_queries):
    api = key_client(workspace)
    with django_assert_num_queries(2):  # the API key, the day counts
        answer = body(api.get("/api2/invoices.json"))
    assert answer["data"] == []
    assert answer["pagination"] == {"page": 1, "limit": 20, "total_results": 0, "total_pages": 0}


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_the_same_days_count_every_invoice():
    """Eight transactions insert invoices on the same five days at once (listed in opposite orders) and stay open a
    moment: each statement takes its day rows in key order, so they queue, none deadlocks, and every invoice is
    counted once."""
    workspace = WorkspaceFactory()
    client, store = ClientFactory(workspace=workspace), StoreFactory(workspace=workspace)
    dates = [DAY + dt.timedelta(days=d) for d in range(5)]

    def write(index):
        ordered = dates if index % 2 else dates[::-1]
        with transaction.atomic():
            Invoice.objects.bulk_create(
                Invoice(
                    workspace=workspace,
                    number=index * 100 + n + 1,
                    client=client,
                    store=store,
                    currency="SAR",
                    date=date,
                )
                for n, date in enumerate(ordered)
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(0.05)")
        return index

    assert sorted(values_of(run_together(8, write))) == list(range(8))
    assert day_counts(workspace) == counted(workspace) == dict.fromkeys(dates, 8)


def test_the_triggers_exist_on_postgresql_only():
    assert connection.vendor == "postgresql"  # this module is skipped elsewhere (pytestmark)
