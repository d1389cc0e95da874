"""The orders and order-invoice pages of the back office as the owner reads them (issue 17): amounts in the
currency's digits (SAR 2, KWD 3), quantities without trailing zeros, the platform's meta fields as lines, the
creator by name, times in the workspace's zone, captions through gettext."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as WebClient

from orders import services
from orders.models import Order
from tests.factories import ClientFactory
from tests.orders.conftest import access_of, make_order
from tests.workspaces.test_admin_pages import headers, local, page, query_count, texts

pytestmark = pytest.mark.django_db

LINES = [("Tea", "8", "22.5", "0"), ("Cake", "4", "26.2", "0")]  # 180 + 104.80 = 284.80
META = [{"key": "event", "value": "عرس"}, {"key": "guests", "value": 120}]


@pytest.fixture
def owner_web(owner) -> WebClient:
    web = WebClient()
    web.force_login(owner)
    return web


@pytest.fixture
def order(workspace, owner):
    customer = ClientFactory(workspace=workspace, name="Nora")
    return make_order(workspace, owner, LINES, client_id=customer.pk, meta_fields=META)


@pytest.mark.parametrize(("currency", "total"), [("SAR", "284.80"), ("KWD", "284.800")])
def test_orders_in_the_currencys_digits_by_their_creators_name(owner_web, workspace, owner, currency, total):
    workspace.currency = currency
    workspace.save()
    order = make_order(workspace, owner, LINES, meta_fields=META)

    listing = page(owner_web, "/admin/orders/order/")
    view = page(owner_web, f"/admin/orders/order/{order.pk}/change/")

    assert texts(listing, "total_display") == [total]
    assert texts(listing, "created_by_name") == ["Sara Owner"] and owner.email not in listing
    assert texts(view, "total_display") == [total]
    assert texts(view, "created_by_name") == ["Sara Owner"] and owner.email not in view
    assert texts(view, "quantity_display") == ["8", "4"]
    assert (
        texts(view, "unit_price_display")
        == {
            "SAR": ["22.50", "26.20"],
            "KWD": ["22.500", "26.200"],
        }[currency]
    )
    assert texts(view, "invoiced_quantity_display") == ["0", "0"]
    for stored in ("22.5000", "8.000", "284.800" if currency == "SAR" else "284.8000"):
        assert stored not in listing + view, stored


def test_an_orders_meta_fields_read_as_lines_not_json(owner_web, order):
    view = page(owner_web, f"/admin/orders/order/{order.pk}/change/")

    assert texts(view, "meta_fields_display") == ["event: عرس guests: 120"]
    assert "<li>event: عرس</li><li>guests: 120</li>" in view
    assert "[{" not in view and '"key"' not in view and "&quot;key&quot;" not in view


def test_an_order_is_shown_in_the_workspaces_time(owner_web, order):
    moment = dt.datetime(2026, 1, 5, 22, 30, tzinfo=dt.UTC)  # 6 January 01:30 in Riyadh
    Order.objects.filter(pk=order.pk).update(created_at=moment)

    listing = page(owner_web, "/admin/orders/order/")
    view = page(owner_web, f"/admin/orders/order/{order.pk}/change/")

    assert texts(listing, "created_at") == [local(moment, "Asia/Riyadh")]
    assert local(moment, "Asia/Riyadh") in texts(view, "created_at")
    assert local(moment, "UTC") not in listing + view


def test_an_order_page_in_arabic(owner_web, order):
    view = page(owner_web, f"/admin/orders/order/{order.pk}/change/", "ar")
    listing = page(owner_web, "/admin/orders/order/", "ar")

    assert {"أنشأها", "الإجمالي", "عميل"} <= set(headers(listing))
    assert "Created by" not in listing + view and "Client" not in headers(listing)
    assert "أنشأها:</label>" in view and "حقول إضافية:</label>" in view
    assert {"الكمية", "سعر الوحدة", "الكمية المفوترة"} <= set(headers(view))


@pytest.mark.parametrize(("currency", "amounts"), [("SAR", ("284.80", "8")), ("KWD", ("284.800", "8"))])
def test_order_invoices_read_as_printed(owner_web, workspace, owner, currency, amounts):
    workspace.currency = currency
    workspace.save()
    order = make_order(workspace, owner, LINES)
    invoice = services.order_invoice_create(
        workspace=workspace,
        access=access_of(workspace, owner),
        order_id=order.pk,
        lines=None,
        meta_fields=META,
    )
    total, quantity = amounts

    listing = page(owner_web, "/admin/orders/orderinvoice/")
    view = page(owner_web, f"/admin/orders/orderinvoice/{invoice.pk}/change/")

    assert texts(listing, "total_display") == [total]
    assert texts(listing, "created_by_name") == ["Sara Owner"] and owner.email not in listing
    lines = {"SAR": ["180.00", "104.80"], "KWD": ["180.000", "104.800"]}[currency]
    assert texts(view, "total_display") == [*lines, total]
    assert texts(view, "line_name") == ["Tea", "Cake"]
    assert texts(view, "quantity_display") == [quantity, "4"]
    assert texts(view, "meta_fields_display") == ["event: عرس guests: 120"]
    assert texts(view, "created_by_name") == ["Sara Owner"] and owner.email not in view
    assert "8.000" not in view and "[{" not in view


def test_the_lists_cost_the_same_with_more_rows(owner_web, workspace, owner, order):
    access = access_of(workspace, owner)
    services.order_invoice_create(
        workspace=workspace, access=access, order_id=order.pk, lines=None, meta_fields=[]
    )
    urls = ("/admin/orders/order/", "/admin/orders/orderinvoice/")
    before = [query_count(owner_web, url) for url in urls]
    for _ in range(3):
        more = make_order(workspace, owner, LINES, client_id=ClientFactory(workspace=workspace).pk)
        services.order_invoice_create(
            workspace=workspace, access=access, order_id=more.pk, lines=None, meta_fields=[]
        )

    assert [query_count(owner_web, url) for url in urls] == before
