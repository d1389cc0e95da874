"""The indexes behind the admin's order and order invoice lists at a million rows (issue 18; the plans in
docs/PERFORMANCE.md): newest first, the status filter and a month of the date hierarchy each along their own index;
an order or an invoice found by its whole number along its key, by a line's name along a trigram index on
PostgreSQL; a search reads as many queries with 30 orders as with 3."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Order, OrderInvoice
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def add_orders(workspace, owner, count: int, **fields) -> list[Order]:
    return [
        Order.objects.create(
            workspace=workspace,
            client=ClientFactory(workspace=workspace, name="Nour Trading"),  # no digits: a number finds none
            currency="SAR",
            total=Decimal("20"),
            created_by=owner,
            created_by_type="owner",
            **fields,
        )
        for _ in range(count)
    ]


def _indexes(model) -> dict[str, list[str]]:
    return {index.name: list(index.fields) for index in model._meta.indexes}


@pytest.mark.parametrize(
    ("model", "name", "fields"),
    [
        (Order, "order_list_idx", ["workspace", "-id"]),
        # The status filter, newest first as the list (`ordering`: created_at, then id).
        (Order, "order_status_idx", ["workspace", "status", "created_at", "id"]),
        # Page 1 and a month or day of the date hierarchy, newest first.
        (Order, "order_created_id_idx", ["workspace", "created_at", "id"]),
        (OrderInvoice, "order_invoice_created_id_idx", ["workspace", "created_at", "id"]),
    ],
)
def test_each_list_has_its_index(model, name, fields):
    assert _indexes(model)[name] == fields


def test_the_indexes_exist_in_the_database():
    with connection.cursor() as cursor:
        names = {
            name
            for table in ("orders_order", "orders_orderinvoice", "orders_orderlineitem")
            for name in connection.introspection.get_constraints(cursor, table)
        }
    assert {"order_status_idx", "order_created_id_idx", "order_invoice_created_id_idx"} <= names
    if connection.vendor == "postgresql":
        assert "order_line_name_trgm" in names
    else:
        assert "order_line_name_trgm" not in names  # SQLite: nothing PostgreSQL-only


def _plans(admin_client, url: str, table: str) -> list[str]:
    """EXPLAIN of each statement the page ran that reads `table`, with sequential scans priced out (a test's few
    rows are read faster in one scan): the plan PostgreSQL takes when an index serves the statement at all."""
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured:
            if f'FROM "{table}"' in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/admin/orders/order/", "orders_order", "order_created_id_idx"),
        ("/admin/orders/order/?status__exact=cancelled", "orders_order", "order_status_idx"),
        (
            "/admin/orders/order/?created_at__year={year}&created_at__month={month}",
            "orders_order",
            "order_created_id_idx",
        ),
        (
            "/admin/orders/orderinvoice/?created_at__year={year}&created_at__month={month}",
            "orders_orderinvoice",
            "order_invoice_created_id_idx",
        ),
    ],
)
def test_each_list_reads_along_its_index(admin_client, workspace, owner, url, table, index):
    orders = add_orders(workspace, owner, 3) + add_orders(workspace, owner, 2, status=Order.Status.CANCELLED)
    for order in orders:
        OrderInvoice.objects.create(
            workspace=workspace, order=order, currency="SAR", created_by=owner, created_by_type="owner"
        )
    today = timezone.localdate()
    plans = _plans(admin_client, url.format(year=today.year, month=today.month), table)
    assert plans
    # The page's rows and its count (several statements): each along the list's index, none a scan of the table.
    assert all(f"Seq Scan on {table}" not in plan for plan in plans), plans
    assert sum(index in plan for plan in plans) >= 2, plans


@pytest.mark.postgres
def test_a_search_by_a_lines_name_reads_the_trigram_index(admin_client, workspace, owner):
    order = add_orders(workspace, owner, 1)[0]
    order.line_items.create(workspace=workspace, name="Arabic coffee", quantity=1, unit_price=5)
    plans = _plans(admin_client, "/admin/orders/order/?q=coffee", "orders_orderlineitem")
    assert len(plans) == 1 and "order_line_name_trgm" in plans[0], plans


def test_an_order_and_an_invoice_are_found_by_their_whole_number(admin_client, workspace, owner):
    orders = add_orders(workspace, owner, 12)
    invoices = [
        OrderInvoice.objects.create(
            workspace=workspace, order=order, currency="SAR", created_by=owner, created_by_type="owner"
        )
        for order in orders
    ]
    wanted = orders[0]
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get(f"/admin/orders/order/?q={wanted.pk}").content.decode()
    # That order alone (not the orders whose number holds its digits), along the primary key (no cast to text).
    for order in orders:
        assert page.count(f"/admin/orders/order/{order.pk}/change/") == (order == wanted)
    assert not any('"ID"::TEXT' in q["sql"].upper() for q in captured)
    # An invoice by its order's number, or by its own.
    page = admin_client.get(f"/admin/orders/orderinvoice/?q={wanted.pk}").content.decode()
    assert f"/admin/orders/orderinvoice/{invoices[0].pk}/change/" in page
    page = admin_client.get(f"/admin/orders/orderinvoice/?q={invoices[5].pk}").content.decode()
    assert f"/admin/orders/orderinvoice/{invoices[5].pk}/change/" in page


def test_a_search_reads_as_many_queries_with_30_orders_as_with_3(
    admin_client, workspace, owner, django_assert_num_queries
):
    def add(count: int) -> None:
        for order in add_orders(workspace, owner, count):
            order.line_items.create(workspace=workspace, name="Arabic coffee", quantity=1, unit_price=5)

    add(3)
    url = "/admin/orders/order/?q=coffee"
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get(url).content.decode()
    assert page.count("/change/") >= 3
    add(27)
    with django_assert_num_queries(len(captured)):
        page = admin_client.get(url).content.decode()
    # Every order with a matching line, each once.
    for order in Order.objects.filter(workspace=workspace):
        assert page.count(f"/admin/orders/order/{order.pk}/change/") == 1
