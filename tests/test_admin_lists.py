"""The back office's lists at any size (issue 18): a page reads the same number of queries with 3 rows and with 30
(no query per row or per filter option), with a filter and a date of the hierarchy applied; the date hierarchy's
links come from the calendar and the list's first and last dates, never from a DISTINCT over the list; the list is
counted once, up to a bound; the related filters offer the workspace's rows."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invoicing.models import Invoice, Product, StockMovement
from orders.models import Order, OrderInvoice
from pos.admin import PosInvoiceAdmin
from pos.models import BusinessSession, OrderStatus, PosInvoice
from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from tests.factories import ClientFactory, StoreFactory, UserFactory
from workspaces.admin_lists import BoundedPaginator
from workspaces.models import Client

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 1)
# No list page of the back office needs more queries than this, whatever it shows.
MOST_QUERIES = 16


def day(i: int) -> datetime.date:
    return DAY + datetime.timedelta(days=i)


def add_pos_invoices(workspace, owner, store, start: int, count: int) -> None:
    """Invoices each with their own client, order status and business day (a per-row query shows at once)."""
    for i in range(start, start + count):
        session = BusinessSession.objects.create(
            workspace=workspace, store=store, business_date=day(i), status=BusinessSession.Status.CLOSED
        )
        PosInvoice.objects.create(
            workspace=workspace,
            store=store,
            session=session,
            business_date=session.business_date,
            client=ClientFactory(workspace=workspace),
            order_status=OrderStatus.objects.create(workspace=workspace, label_ar=f"حالة {i}", position=i),
            number=i + 1,
            public_id=f"POS-{i + 1:03}",
            currency="SAR",
            status=PosInvoice.Status.COMPLETED,
            total=Decimal("10.5"),
            created_by=owner,
            created_by_type="owner",
        )


def add_sessions(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        BusinessSession.objects.create(
            workspace=workspace,
            store=StoreFactory(workspace=workspace),
            business_date=day(i),
            status=BusinessSession.Status.CLOSED,
            opened_by=owner,
            closed_by=UserFactory(),
        )


def _supplier_invoice(workspace, owner, i: int) -> SupplierInvoice:
    return SupplierInvoice.objects.create(
        workspace=workspace,
        supplier=Supplier.objects.create(workspace=workspace, name=f"مورد {i}"),
        invoice_number=f"INV-{i}",
        invoice_number_normalised=f"inv-{i}",
        currency="SAR",
        total_amount=Decimal("100"),
        paid_amount=Decimal("40"),
        remaining_amount=Decimal("60"),
        status=SupplierInvoice.Status.PARTIALLY_PAID,
        issue_date=day(i),
        due_date=day(i + 30),
        created_by=owner,
    )


def add_supplier_invoices(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        _supplier_invoice(workspace, owner, i)


def add_supplier_payments(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        SupplierPayment.objects.create(
            workspace=workspace,
            invoice=_supplier_invoice(workspace, owner, i),
            amount=Decimal("40"),
            paid_at=timezone.make_aware(datetime.datetime.combine(day(i), datetime.time(12))),
            method="cash",
            created_by=UserFactory(),
        )


def add_sales_invoices(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        Invoice.objects.create(
            workspace=workspace,
            number=i + 1,
            client=ClientFactory(workspace=workspace),
            store=StoreFactory(workspace=workspace),
            currency="SAR",
            date=day(i),
            summary_total=Decimal("11.5"),
            created_by=owner,
        )


def _order(workspace, i: int) -> Order:
    return Order.objects.create(
        workspace=workspace,
        client=ClientFactory(workspace=workspace),
        currency="SAR",
        total=Decimal("20"),
        created_by=UserFactory(),
        created_by_type="owner",
    )


def add_orders(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        _order(workspace, i)


def add_order_invoices(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        OrderInvoice.objects.create(
            workspace=workspace,
            order=_order(workspace, i),
            currency="SAR",
            total=Decimal("20"),
            created_by=UserFactory(),
            created_by_type="owner",
        )


def add_stock_movements(workspace, owner, store, start: int, count: int) -> None:
    for i in range(start, start + count):
        StockMovement.objects.create(
            workspace=workspace,
            store=StoreFactory(workspace=workspace),
            product=Product.objects.create(workspace=workspace, name=f"صنف {i}", price=Decimal("5")),
            delta=Decimal("-1"),
            reason=StockMovement.Reason.SALE,
            direction=StockMovement.Direction.OUT,
            source_type="pos_invoice",
            source_id=i + 1,
            created_by=UserFactory(),
        )


THIS_YEAR = timezone.localdate().year
# A list: its page, what adds rows to it, a filter, a date of its hierarchy.
LISTS: dict[str, tuple[str, Callable, str, str]] = {
    "pos invoices": (
        "/admin/pos/posinvoice/",
        add_pos_invoices,
        "status__exact=completed",
        f"created_at__year={THIS_YEAR}",
    ),
    "pos invoices of a store": (
        "/admin/pos/posinvoice/",
        add_pos_invoices,
        "store__id__exact={store}",
        f"created_at__year={THIS_YEAR}&created_at__month=1",
    ),
    "business sessions": (
        "/admin/pos/businesssession/",
        add_sessions,
        "status__exact=closed",
        "business_date__year=2025&business_date__month=3",
    ),
    "supplier invoices": (
        "/admin/suppliers/supplierinvoice/",
        add_supplier_invoices,
        "unpaid=yes",
        "issue_date__year=2025&issue_date__month=3",
    ),
    "supplier invoices by status": (
        "/admin/suppliers/supplierinvoice/",
        add_supplier_invoices,
        "status__exact=partially_paid&overdue=yes",
        "issue_date__year=2025&issue_date__month=3&issue_date__day=2",
    ),
    "supplier payments": (
        "/admin/suppliers/supplierpayment/",
        add_supplier_payments,
        "method__exact=cash",
        "paid_at__year=2025",
    ),
    "sales invoices": (
        "/admin/invoicing/invoice/",
        add_sales_invoices,
        "draft__exact=0",
        "date__year=2025&date__month=3",
    ),
    "orders": ("/admin/orders/order/", add_orders, "status__exact=open", f"created_at__year={THIS_YEAR}"),
    "order invoices": (
        "/admin/orders/orderinvoice/",
        add_order_invoices,
        "q=Client",
        f"created_at__year={THIS_YEAR}",
    ),
    "stock movements": (
        "/admin/invoicing/stockmovement/",
        add_stock_movements,
        "store__id__exact={store}&direction__exact=out",
        f"created_at__year={THIS_YEAR}",
    ),
}


@pytest.fixture
def admin_client(client, owner, workspace):
    workspace.suppliers_enabled = True
    workspace.save(update_fields=["suppliers_enabled"])
    client.force_login(owner)
    return client


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("name", LISTS)
def test_a_list_page_reads_as_many_queries_with_30_rows_as_with_3(
    name, admin_client, workspace, owner, store, django_assert_num_queries
):
    url, add_rows, filtered, dated = LISTS[name]
    pages = [url, f"{url}?{filtered.format(store=store.pk)}", f"{url}?{dated}"]
    add_rows(workspace, owner, store, 0, 3)
    counts = [queries_of(admin_client, page) for page in pages]
    assert max(counts) <= MOST_QUERIES, counts
    add_rows(workspace, owner, store, 3, 27)
    for page, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            response = admin_client.get(page)
        assert response.status_code == 200


def test_the_date_hierarchy_reads_the_first_and_last_dates_never_the_dates_of_every_row(
    admin_client, workspace, owner, store
):
    add_pos_invoices(workspace, owner, store, 0, 3)
    first, *_rest, last = PosInvoice.objects.order_by("pk")
    PosInvoice.objects.filter(pk=first.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2023, 5, 2))
    )
    PosInvoice.objects.filter(pk=last.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 7, 9))
    )
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get("/admin/pos/posinvoice/").content.decode()
    sql = " ".join(query["sql"].upper() for query in captured)
    assert "DISTINCT" not in sql and "DATE_TRUNC" not in sql
    # The years from the first to the last, a year with no row included (a calendar, not the data).
    for year in (2023, 2024, 2025):
        assert f"?created_at__year={year}" in page
    months = admin_client.get("/admin/pos/posinvoice/?created_at__year=2024").content.decode()
    assert months.count("created_at__month=") == 12
    days = admin_client.get(
        "/admin/pos/posinvoice/?created_at__year=2024&created_at__month=2"
    ).content.decode()
    assert days.count("created_at__day=") == 29
    one_day = admin_client.get(
        "/admin/pos/posinvoice/?created_at__year=2025&created_at__month=7&created_at__day=9"
    )
    assert "POS-003" in one_day.content.decode() and "POS-001" not in one_day.content.decode()


def test_the_list_is_counted_once_up_to_a_bound(admin_client, workspace, owner, store, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "limit", 4)
    monkeypatch.setattr(PosInvoiceAdmin, "list_per_page", 2)
    add_pos_invoices(workspace, owner, store, 0, 6)
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get("/admin/pos/posinvoice/").content.decode()
    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 5" in counts[0]
    assert "4+ POS invoices" in page
    # A page past the first reads its keys first, then its rows, newest first; no page past the counted rows.
    second = admin_client.get("/admin/pos/posinvoice/?p=2").content.decode()
    assert second.index("POS-004") < second.index("POS-003") and "POS-005" not in second
    assert admin_client.get("/admin/pos/posinvoice/?p=3").status_code == 302  # Django's "?e=1": no such page


def test_related_filters_offer_the_workspaces_rows_the_latest_days_with_their_store(
    admin_client, workspace, owner, store, other_workspace
):
    add_pos_invoices(workspace, owner, store, 0, 40)
    StoreFactory(workspace=workspace, name="فرع بلا فواتير")
    theirs = StoreFactory(workspace=other_workspace, name="Their store")
    oldest = BusinessSession.objects.filter(workspace=workspace).order_by("business_date").first()
    page = admin_client.get("/admin/pos/posinvoice/").content.decode()
    assert "فرع بلا فواتير" in page  # the workspace's stores, not only those the list holds
    assert f"store__id__exact={theirs.pk}" not in page
    assert page.count("session__id__exact=") == 31  # the latest month of days
    assert f"session__id__exact={oldest.pk}&" not in page and f'session__id__exact={oldest.pk}"' not in page
    chosen = admin_client.get(f"/admin/pos/posinvoice/?session__id__exact={oldest.pk}").content.decode()
    assert f"session__id__exact={oldest.pk}" in chosen and "POS-001" in chosen


def test_large_tables_are_searched_not_listed_as_filters(admin_client, workspace, owner, store):
    add_sales_invoices(workspace, owner, store, 0, 2)
    add_order_invoices(workspace, owner, store, 0, 2)
    client = Client.objects.filter(workspace=workspace).order_by("pk").first()
    for url in ("/admin/invoicing/invoice/", "/admin/orders/order/", "/admin/orders/orderinvoice/"):
        page = admin_client.get(url).content.decode()
        assert "client__id__exact" not in page, url
        found = admin_client.get(f"{url}?q={client.name}")
        assert found.status_code == 200


def test_a_search_finds_the_same_rows_through_a_related_name_without_a_join(
    admin_client, workspace, owner, store
):
    # Given: three orders of three clients, each invoiced once; the second has two lines named "Arabic coffee"
    add_order_invoices(workspace, owner, store, 0, 3)
    add_pos_invoices(workspace, owner, store, 0, 3)
    orders = list(Order.objects.filter(workspace=workspace).order_by("pk"))
    for name in ("Arabic coffee", "Arabic coffee, large"):
        orders[1].line_items.create(
            workspace=workspace, name=name, quantity=Decimal("1"), unit_price=Decimal("5")
        )
    invoices = list(OrderInvoice.objects.filter(workspace=workspace).order_by("pk"))
    pos = list(PosInvoice.objects.filter(workspace=workspace).order_by("pk"))
    searches = {
        # An order by its lines (a reverse relation): listed once, however many lines match.
        "/admin/orders/order/?q=coffee": ("orders/order", orders, 1),
        # An order invoice by its order's client (two relations away), every word in one field or another.
        # (Quoted, one phrase: the name's digit alone would also be an invoice's whole number where ids are small.)
        f'/admin/orders/orderinvoice/?q="{orders[2].client.name}"': ("orders/orderinvoice", invoices, 2),
        # A POS invoice by its client's name, and by its number.
        f'/admin/pos/posinvoice/?q="{pos[0].client.name}"': ("pos/posinvoice", pos, 0),
        "/admin/pos/posinvoice/?q=pos-002": ("pos/posinvoice", pos, 1),
    }
    for url, (path, rows, found) in searches.items():
        with CaptureQueriesContext(connection) as captured:
            page = admin_client.get(url).content.decode()
        # Then: that row alone, once; the list's statements join no related table and remove no duplicates
        for i, row in enumerate(rows):
            assert page.count(f"/admin/{path}/{row.pk}/change/") == (1 if i == found else 0), (url, i)
        sql = " ".join(q["sql"].upper() for q in captured)
        assert 'JOIN "ORDERS_ORDERLINEITEM"' not in sql and "SELECT DISTINCT" not in sql, url
        assert 'JOIN "WORKSPACES_CLIENT"' not in sql.replace('LEFT OUTER JOIN "WORKSPACES_CLIENT" ON', ""), (
            url
        )


def test_a_search_reads_the_normalised_number_and_the_list_of_one_page_is_not_counted(
    admin_client, workspace, owner, store
):
    add_supplier_invoices(workspace, owner, store, 0, 12)
    add_sales_invoices(workspace, owner, store, 0, 3)
    with CaptureQueriesContext(connection) as captured:
        # Eastern digits and another case find the same invoice, as the API's search (`inv-١١` is INV-11).
        page = admin_client.get("/admin/suppliers/supplierinvoice/?q=inv-١١").content.decode()
    assert "INV-11<" in page and "INV-1<" not in page and "INV-10<" not in page
    sql = [q["sql"].upper() for q in captured]
    assert not any("COUNT(" in s for s in sql)  # the page's keys counted it (one row)
    assert not any("MIN(" in s for s in sql)  # the hierarchy's dates from that row
    assert "issue_date__day=12" in page  # its one day, March 12
    # A sales invoice by its number (`=number`): that invoice, along the number's index (no cast to text).
    third = Invoice.objects.get(workspace=workspace, number=3)
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get("/admin/invoicing/invoice/?q=3").content.decode()
    assert f"/admin/invoicing/invoice/{third.pk}/change/" in page
    assert not any('"NUMBER"::TEXT' in q["sql"].upper() for q in captured)


def test_a_word_longer_than_a_column_compares_nothing_there(admin_client, workspace, owner, store):
    """A word longer than any value of a text column cannot be in it: that column's LIKE is left out (a
    3,000-letter word kept PostgreSQL's trigram indexes busy for seconds); the other fields still search."""
    add_supplier_invoices(workspace, owner, store, 0, 3)
    word = "INV" + "1" * 200  # past the number (100) and the supplier's name (200)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(f"/admin/suppliers/supplierinvoice/?q={word}")
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in captured)
    assert re.search(r'"invoice_number_normalised"(::text)? LIKE', sql) is None  # the number is not compared
    # the suppliers' names are not searched for it (their keys are read first where a word may match)
    assert not any('FROM "suppliers_supplier" WHERE' in q["sql"] and "LIKE" in q["sql"] for q in captured)
    assert '"suppliers_supplierinvoice"."description"' in sql  # a description has no such bound
    assert "/admin/suppliers/supplierinvoice/" in response.content.decode()
    assert "INV-1<" not in response.content.decode()
