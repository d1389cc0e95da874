"""The api2 list's filters (PRODUCT.md section 8): each one finds the rows that match and only those, an unknown
parameter or a bad value is a 400 naming it, and a filtered page costs what an unfiltered one does."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection

from invoicing import sales_selectors
from invoicing.models import Invoice
from invoicing.services.sales_invoices import SalesInvoiceLine, sales_invoice_create
from tests.factories import ClientFactory, StoreFactory, owner_access
from tests.invoicing.api2_helpers import body, key_client
from tests.invoicing.factories import ProductFactory

pytestmark = pytest.mark.django_db

LIST = "/api2/invoices.json"


def _invoice(workspace, *, client, store, day, draft=False, po_number=None):
    product = ProductFactory(workspace=workspace, track_stock=False)
    return sales_invoice_create(
        workspace=workspace,
        access=owner_access(workspace),
        client_id=client.pk,
        store_id=store.pk,
        lines=[SalesInvoiceLine(product_id=product.pk, quantity=Decimal(1), unit_price=Decimal(10))],
        date=day,
        draft=draft,
        po_number=po_number,
    )


@pytest.fixture
def book(workspace, store, other_workspace):
    """Three invoices of this workspace that differ in every filtered field, and one of another workspace."""
    acme, globex = ClientFactory(workspace=workspace), ClientFactory(workspace=workspace)
    branch = StoreFactory(workspace=workspace, name="Branch")
    first = _invoice(workspace, client=acme, store=store, day=dt.date(2026, 1, 10), po_number="WC-1001")
    second = _invoice(workspace, client=globex, store=branch, day=dt.date(2026, 1, 20), draft=True)
    third = _invoice(workspace, client=acme, store=branch, day=dt.date(2026, 2, 1), po_number="WC-1002")
    foreign_client = ClientFactory(workspace=other_workspace)
    _invoice(
        other_workspace,
        client=foreign_client,
        store=StoreFactory(workspace=other_workspace),
        day=dt.date(2026, 1, 20),
        po_number="WC-1002",
    )
    return {
        "acme": acme,
        "globex": globex,
        "main": store,
        "branch": branch,
        "first": first,
        "second": second,
        "third": third,
        "foreign_client": foreign_client,
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["Invoice"]["id"] for row in body(response)["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["third", "second", "first"]),
        ("client_id={acme}", ["third", "first"]),
        ("client_id={globex}", ["second"]),
        ("client_id={foreign_client}", []),  # another workspace's client: nothing, never its invoices
        ("store_id={main}", ["first"]),
        ("store_id={branch}", ["third", "second"]),
        ("draft=1", ["second"]),
        ("draft=0", ["third", "first"]),
        ("date_from=2026-01-20", ["third", "second"]),  # inclusive
        ("date_to=2026-01-20", ["second", "first"]),  # inclusive
        ("date_from=2026-01-11&date_to=2026-01-31", ["second"]),
        ("date_from=2026-01-20&date_to=2026-01-20", ["second"]),
        ("date_from=2026-02-02", []),
        ("date_from=2026-02-01&date_to=2026-01-01", []),  # an empty range is no error
        ("search=WC-1002", ["third"]),  # the PO number; the other workspace's WC-1002 is not shown
        ("search=000001", ["first"]),  # the invoice's `no`
        ("search=1", []),  # `no` is "000001": equal, not a number that matches
        ("search=WC-100", []),  # equal, not contains
        ("search=wc-1002", []),  # equal: an order id is case-sensitive
        ("client_id={acme}&store_id={branch}&draft=0&date_from=2026-01-01&search=WC-1002", ["third"]),
        ("client_id={acme}&store_id={main}&draft=1", []),
        ("page=1&limit=1&client_id={acme}", ["third"]),
    ],
)
def test_each_filter_finds_what_matches_and_only_that(workspace, book, query, expected):
    names = {name: row.pk for name, row in book.items()}

    response = key_client(workspace).get(f"{LIST}?{query.format(**names)}")

    assert _ids(response) == [book[name].pk for name in expected]


def test_the_pagination_counts_the_filtered_rows(workspace, book):
    page = body(key_client(workspace).get(f"{LIST}?client_id={book['acme'].pk}&limit=1&page=2"))

    assert [row["Invoice"]["id"] for row in page["data"]] == [book["first"].pk]
    assert page["pagination"] == {"page": 2, "limit": 1, "total_results": 2, "total_pages": 2}


def test_search_finds_exactly_the_invoice_of_that_order(workspace, store):
    # Given an integration that puts its order id in `po_number`, and orders whose ids share a prefix.
    client = ClientFactory(workspace=workspace)
    invoices = {
        order: _invoice(workspace, client=client, store=store, day=dt.date(2026, 3, 1), po_number=order)
        for order in ("4512", "45120", "A-4512", "4512 ")
    }
    api = key_client(workspace)

    # When it asks whether order 4512 was invoiced, before invoicing it, and for an order it never sent.
    found = body(api.get("/api2/invoices?search=4512"))
    missing = body(api.get("/api2/invoices?search=4513"))

    # Then exactly that order's invoice, and nothing for the other.
    assert [row["Invoice"]["id"] for row in found["data"]] == [invoices["4512"].pk]
    assert found["data"][0]["Invoice"]["po_number"] == "4512"
    assert found["pagination"] == {"page": 1, "limit": 20, "total_results": 1, "total_pages": 1}
    assert missing["data"] == [] and missing["pagination"]["total_results"] == 0


@pytest.mark.parametrize("path", ["/api2/invoices", "/api2/api2/invoices", "/api2/api2/invoices.json"])
def test_every_path_of_the_list_filters_alike(workspace, book, path):
    assert _ids(key_client(workspace).get(f"{path}?client_id={book['globex'].pk}")) == [book["second"].pk]
    assert key_client(workspace).get(f"{path}?customer_id=1").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "foo=1",
        "status=paid",
        "client=1",  # a typo of client_id
        "q=WC-1002",  # the v1 product list's search, not api2's
        "Search=WC-1002",  # names are case-sensitive
        "format=json",
        "cursor=abc",
    ],
)
def test_an_unknown_parameter_is_a_400_naming_it(workspace, book, query):
    response = key_client(workspace).get(f"{LIST}?{query}")

    name = query.split("=")[0]
    assert response.status_code == 400
    assert body(response) == {
        "code": 400,
        "result": "failed",
        "message": "Invalid input.",
        "validation_errors": {
            name: "Unknown parameter. The list takes: page, limit, client_id, store_id, draft, date_from, "
            "date_to, search."
        },
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("client_id=abc", "client_id"),
        ("client_id=0", "client_id"),
        ("client_id=507f1f77bcf86cd799439011", "client_id"),
        ("client_id=", "client_id"),  # blank is no "any client": it would list every invoice
        ("store_id=-1", "store_id"),
        ("store_id=1.5", "store_id"),
        ("draft=2", "draft"),
        ("draft=yes", "draft"),
        ("draft=", "draft"),
        ("date_from=2026-13-01", "date_from"),
        ("date_from=today", "date_from"),
        ("date_to=0001-01-01", "date_to"),  # outside 0001-01-02..9999-12-30 (PRODUCT.md section 2)
        ("date_to=9999-12-31", "date_to"),
        ("date_from=2026-01-01T10:00:00", "date_from"),  # the invoice `date` is a day
        ("date_to=", "date_to"),
        ("search=", "search"),
        ("search=" + "x" * 101, "search"),
        ("client_id=1&client_id=2", "client_id"),  # given twice: which one would be meant?
    ],
)
def test_a_bad_value_of_a_filter_is_a_400_naming_it(workspace, book, query, name):
    response = key_client(workspace).get(f"{LIST}?{query}")

    assert response.status_code == 400, response.content
    answer = body(response)
    assert (answer["code"], answer["result"], list(answer["validation_errors"])) == (400, "failed", [name])


def test_every_bad_parameter_is_named_at_once(workspace):
    response = key_client(workspace).get(f"{LIST}?draft=2&date_from=x&colour=red&page=0")

    assert response.status_code == 400
    assert set(body(response)["validation_errors"]) == {"draft", "date_from", "colour", "page"}


def test_a_blank_page_or_limit_is_the_default_as_before(workspace, book):
    page = body(key_client(workspace).get(f"{LIST}?page=&limit="))
    assert page["pagination"] == {"page": 1, "limit": 20, "total_results": 3, "total_pages": 1}


def test_a_filtered_page_costs_the_same_queries(workspace, book, django_assert_num_queries):
    api = key_client(workspace)
    query = (
        f"client_id={book['acme'].pk}&store_id={book['branch'].pk}&draft=0&date_from=2026-01-01"
        "&date_to=2026-12-31&search=WC-1002"
    )

    # The API key, the count, the page, its ZATCA documents: as the unfiltered list (test_api2_contract.LIST_QUERIES).
    with django_assert_num_queries(4):
        response = api.get(f"/api2/invoices?{query}")

    assert _ids(response) == [book["third"].pk]


# --- The indexes (PRODUCT.md section 2: every filter and the order served by an index) --------------------------

ORDER = ["-date", "-id"]


@pytest.mark.parametrize("field", [None, "client", "store", "draft"])
def test_each_equality_filter_has_an_index_ending_with_the_lists_order(field):
    """A page is then a walk of one index, a date range included (`date` comes before `id` in each)."""
    wanted = ["workspace", *([field] if field else []), *ORDER]
    assert wanted in [list(index.fields) for index in Invoice._meta.indexes]
    assert sales_selectors.sales_invoice_list(workspace=None).query.order_by == ("-date", "-pk")


def _seed(workspace, rows: int) -> dict:
    """`rows` invoices over five years, ids in date order, drafts 2 %, one client in 2 000, one store in 200."""
    clients = ClientFactory.create_batch(4, workspace=workspace)
    stores = [StoreFactory(workspace=workspace) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO invoicing_invoice (created_at, updated_at, number, currency, date, draft, discount,
              discount_amount, po_number, is_offline, summary_subtotal, summary_discount, summary_tax, summary_total,
              summary_paid, client_id, store_id, workspace_id)
            SELECT now(), now(), g, 'SAR', date '2021-01-01' + (g * 1825 / %(rows)s), g %% 50 = 0, 0, 0,
              'WC-' || g, false, 10, 0, 0, 10, 0,
              CASE WHEN g %% 2000 = 0 THEN %(rare_client)s ELSE %(client)s END,
              CASE WHEN g %% 200 = 0 THEN %(rare_store)s ELSE %(store)s END, %(workspace)s
            FROM generate_series(1, %(rows)s) g
            """,
            {"rows": rows, "client": clients[0].pk, "rare_client": clients[1].pk, "store": stores[0].pk,
             "rare_store": stores[1].pk, "workspace": workspace.pk},
        )  # fmt: skip
        cursor.execute("ANALYZE invoicing_invoice")
    return {"rare_client": clients[1].pk, "rare_store": stores[1].pk}


@pytest.mark.postgres
def test_the_planner_walks_each_filters_index(workspace):
    """At 50 000 rows, as measured by hand at a million (the closing note of issue 16): every page is an index
    walk, an old month included, never the primary key's."""
    ids = _seed(workspace, 50_000)
    cases = [  # (filters, an index the page may walk)
        ({}, "sales_invoice_date_idx"),
        ({"client_id": ids["rare_client"]}, "client"),  # a rare client: its own index, or the foreign key's
        ({"store_id": ids["rare_store"]}, "store"),
        ({"draft": True}, "sales_invoice_draft_idx"),
        ({"date_from": dt.date(2021, 3, 1), "date_to": dt.date(2021, 3, 31)}, "sales_invoice_date_idx"),
        ({"date_to": dt.date(2021, 12, 31)}, "sales_invoice_date_idx"),
        ({"search": "WC-4512"}, "sales_invoice_po_number_idx"),
        ({"search": "004512"}, "sales_invoice_number_unique"),
    ]
    for filters, index in cases:
        queryset = sales_selectors.sales_invoice_list(workspace=workspace, filters=filters)[980:1000]
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        used = re.findall(r"(?:using|Index Scan on) (\w+)", plan)
        assert any(index in name for name in used), (filters, plan)
        assert "invoicing_invoice_pkey" not in used and "Seq Scan" not in plan, (filters, plan)
