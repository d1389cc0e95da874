"""A date range's walk bounds (`selectors._DayProbedBound`): whichever way the least and the greatest id are read
(a probe per day on PostgreSQL when the range is dense, a `Min`/`Max` of its entries otherwise and on SQLite), a
list of the range pages the same invoices, in the same order, as the plain filter, in one query a page."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection

from suppliers import selectors
from suppliers.api import json_rows
from suppliers.models import SupplierInvoice

pytestmark = pytest.mark.django_db

DAY = dt.date.fromisoformat
TODAY = DAY("2024-06-30")
PAGE = 7


@pytest.fixture
def ledger(workspace, supplier):
    """Three dense days (20 invoices each, 1-3 February 2024) and single invoices on scattered days (none on most),
    written in a shuffled order so that the ids follow no date; every sixth without a due date. Returns the ids."""
    days = [DAY("2024-02-01") + dt.timedelta(days=offset) for offset in range(3) for _ in range(20)]
    days += [DAY(day) for day in ("2024-01-05", "2024-01-20", "2024-02-10", "2024-03-15", "2024-04-02")]
    random.Random(18).shuffle(days)
    rows = [
        SupplierInvoice(
            workspace=workspace,
            supplier=supplier,
            invoice_number=f"R-{number}",
            invoice_number_normalised=f"r-{number}",
            currency=workspace.currency,
            total_amount=Decimal(100),
            paid_amount=Decimal(0),
            remaining_amount=Decimal(100),
            status="pending",
            issue_date=day,
            due_date=None if number % 6 == 0 else day + dt.timedelta(days=number % 45),
        )
        for number, day in enumerate(days)
    ]
    SupplierInvoice.objects.bulk_create(rows)
    return SupplierInvoice.objects.filter(workspace=workspace).values_list("pk", flat=True)


@pytest.fixture(params=["probe", "gated", "min-max"])
def density(request, monkeypatch):
    """Probe whenever the range holds an invoice, as shipped (dense ranges only), or never. The compiled pages keep
    their SQL per process: cleared around the test."""
    value = {"probe": 0, "gated": selectors._PROBE_DENSITY, "min-max": 10**9}[request.param]
    monkeypatch.setattr(selectors, "_PROBE_DENSITY", value)
    json_rows._page_read.cache_clear()
    yield request.param
    json_rows._page_read.cache_clear()


RANGES = [
    pytest.param("issue_date", "2024-02-02", "2024-02-02", id="one dense day"),
    pytest.param("issue_date", "2024-01-20", "2024-01-20", id="one sparse day"),
    pytest.param("issue_date", "2024-01-21", "2024-01-21", id="a day without invoices"),
    pytest.param("issue_date", "2024-02-01", "2024-02-03", id="three dense days"),
    pytest.param("issue_date", "2024-01-01", "2024-03-31", id="a quarter"),
    pytest.param("issue_date", None, "2024-02-02", id="open start"),
    pytest.param("issue_date", "2024-01-02", "2024-02-04", id="no invoice on its first and last days"),
    pytest.param("issue_date", "2024-03-01", "2024-02-01", id="empty: ends before it starts"),
    pytest.param("issue_date", "2023-01-01", "2023-12-31", id="empty: before the first invoice"),
    pytest.param("issue_date", "2020-01-01", "2030-12-31", id="a decade"),
    pytest.param("issue_date", "0001-01-02", "9999-12-30", id="the whole calendar: never probed"),
    pytest.param("due_date", "2024-02-01", "2024-02-28", id="due dates, a month"),
    pytest.param("due_date", "2024-02-10", "2024-02-10", id="due dates, one day"),
    pytest.param("due_date", None, "2024-02-15", id="due dates, open start"),
    pytest.param("due_date", "2024-01-01", "2024-01-31", id="due dates, January"),
]


def _filters(field, start, end):
    filters = {f"{field}_to": DAY(end)}
    if start:
        filters[f"{field}_from"] = DAY(start)
    return filters


def _expected(workspace, field, start, end):
    bounds = {f"{field}__lte": DAY(end)}
    if start:
        bounds[f"{field}__gte"] = DAY(start)
    return list(
        SupplierInvoice.objects.filter(workspace=workspace, **bounds)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("field", "start", "end"), RANGES)
def test_pages_of_a_range_are_the_plain_filters_rows(
    field, start, end, workspace, ledger, density, django_assert_num_queries
):
    expected = _expected(workspace, field, start, end)
    listed = selectors.invoice_list(workspace=workspace, today=TODAY, filters=_filters(field, start, end))
    pages, after = [], None
    while True:
        page = listed.order_by("-pk") if after is None else listed.filter(pk__lt=after).order_by("-pk")
        with django_assert_num_queries(1):
            ids = list(page.values_list("pk", flat=True)[:PAGE])
        pages.append(ids)
        if len(ids) < PAGE:
            break
        after = ids[-1]
    assert pages == [expected[index : index + PAGE] for index in range(0, len(expected) + 1, PAGE)]
    assert [pk for page in pages for pk in page] == expected


@pytest.mark.parametrize(("field", "start", "end"), RANGES)
def test_the_api_pages_a_range_as_the_plain_filter(
    field, start, end, workspace, ledger, density, accountant_client, base_url
):
    """The compiled page (`suppliers.api.json_rows`: the dates are the statement's parameters)."""
    names = {"issue_date": "issueDate", "due_date": "dueDate"}
    query = f"{names[field]}To={end}" + (f"&{names[field]}From={start}" if start else "")
    url, listed = f"{base_url}/supplier-invoices?{query}&limit={PAGE}", []
    while url:
        response = accountant_client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        listed += [int(row["id"]) for row in body["invoices"]]
        url = (
            f"{base_url}/supplier-invoices?{query}&limit={PAGE}&cursor={body['nextCursor']}"
            if body["nextCursor"]
            else ""
        )
    assert listed == _expected(workspace, field, start, end)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("start", "end", "probed"),
    [
        ("2024-02-01", "2024-02-03", True),
        ("2024-01-01", "2024-03-31", False),
        ("2024-02-02", "2024-02-02", True),
    ],
)
def test_postgresql_probes_a_dense_range_by_day_and_reads_a_sparse_ones_entries(
    start, end, probed, workspace, ledger
):
    """As shipped (20 invoices a day on the dense days, 16 the threshold): the plan runs one branch of each bound."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: elsewhere the bound is always the Min/Max")
    listed = selectors.invoice_list(
        workspace=workspace, today=TODAY, filters=_filters("issue_date", start, end)
    )
    plan = listed.order_by("-pk")[:PAGE].explain(analyze=True)
    series = [line for line in plan.splitlines() if "Function Scan on generate_series" in line]
    aggregates = [line for line in plan.splitlines() if "GroupAggregate" in line]
    assert len(series) == len(aggregates) == 2
    ran, skipped = (series, aggregates) if probed else (aggregates, series)
    assert all("never executed" not in line for line in ran)
    assert all("never executed" in line for line in skipped)


@pytest.mark.postgres
def test_a_range_wider_than_the_probes_span_is_never_tested_for_density(workspace, ledger, monkeypatch):
    """Past `_PROBE_DAYS` days the density test (which reads up to 16 entries a day) does not run: the Min/Max."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: elsewhere the bound is always the Min/Max")
    monkeypatch.setattr(selectors, "_PROBE_DAYS", 2)
    filters = _filters(
        "issue_date", "2024-02-01", "2024-02-03"
    )  # three dense days, probed at the shipped span
    listed = selectors.invoice_list(workspace=workspace, today=TODAY, filters=filters).order_by("-pk")
    plan = listed[:PAGE].explain(analyze=True)
    series = [line for line in plan.splitlines() if "Function Scan on generate_series" in line]
    aggregates = [line for line in plan.splitlines() if "GroupAggregate" in line]
    # never run (with literal dates PostgreSQL folds the span's test and leaves the probes out of the plan)
    assert all("never executed" in line for line in series)
    assert aggregates and all("never executed" not in line for line in aggregates)
    assert list(listed.values_list("pk", flat=True)) == _expected(
        workspace, "issue_date", "2024-02-01", "2024-02-03"
    )
