"""The catalogue, stock and api2 invoice pages of the back office as the owner reads them (issue 17): amounts in
the currency's digits (SAR 2, KWD 3), quantities and rates without trailing zeros, in lists, on read-only pages and
in the inputs; the ledger's documents by kind and number, linked; people by name; captions through gettext."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client as WebClient

from invoicing.models import Invoice, StockLevel, StockMovement
from invoicing.services import SalesInvoiceLine, sales_invoice_create, stock_adjust
from invoicing.services.sales_invoice_rules import SalesInvoicePayment
from pos import services as pos_services
from tests.factories import ClientFactory, owner_access
from tests.invoicing.factories import ProductFactory, TaxFactory, stock_keeper
from tests.workspaces.test_admin_pages import headers, input_value, local, page, query_count, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_web(owner) -> WebClient:
    web = WebClient()
    web.force_login(owner)
    return web


@pytest.fixture
def shop(workspace, store, owner):
    """Arabic coffee at 13, 45 in stock (an adjustment "Opening stock"), a POS sale of 4 of them, an api2 invoice of
    4 × 11.40 + VAT 15 % = 52.44 paid 50 in cash, and a draft."""
    vat = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"))
    coffee = ProductFactory(workspace=workspace, name="Arabic coffee", price=Decimal("13"), taxes=[vat])
    stock_adjust(
        workspace=workspace,
        store=store,
        product=coffee,
        quantity=Decimal(53),
        reason="Opening stock",
        access=stock_keeper(workspace),
    )
    access = owner_access(workspace)
    customer = ClientFactory(workspace=workspace, name="Nora")
    pos_services.session_open(
        workspace=workspace, access=access, store=store, opening_cash=Decimal(0), business_date=None
    )
    sale = pos_services.invoice_create(workspace=workspace, access=access, client=customer, store=store)
    pos_services.invoice_add_item(
        invoice=sale, access=access, product=coffee, quantity=Decimal(4), unit_price=None, note=""
    )
    pos_services.invoice_complete(invoice=sale, access=access, payments=None)
    issued = sales_invoice_create(
        workspace=workspace,
        access=access,
        client_id=customer.pk,
        store_id=store.pk,
        lines=[
            SalesInvoiceLine(
                product_id=coffee.pk, quantity=Decimal(4), unit_price=Decimal("11.4"), tax1_id=vat.pk
            )
        ],
        payments=[SalesInvoicePayment(payment_method="cash", amount=Decimal(50))],
    )
    draft = sales_invoice_create(
        workspace=workspace,
        access=access,
        client_id=customer.pk,
        store_id=store.pk,
        draft=True,
        lines=[SalesInvoiceLine(product_id=coffee.pk, quantity=Decimal("1.5"), unit_price=Decimal("11.4"))],
    )
    return {
        "vat": vat,
        "coffee": coffee,
        "sale": sale,
        "issued": issued,
        "draft": draft,
        "customer": customer,
    }


def test_a_taxs_rate_has_no_trailing_zeros(owner_web, shop):
    vat = shop["vat"]

    listing = page(owner_web, "/admin/invoicing/tax/")
    change = page(owner_web, f"/admin/invoicing/tax/{vat.pk}/change/")

    assert texts(listing, "rate_display") == ["15"]
    assert input_value(change, "rate") == "15"
    assert "15.0000" not in listing + change


@pytest.mark.parametrize(("currency", "price"), [("SAR", "13.00"), ("KWD", "13.000")])
def test_a_products_price_in_the_currencys_digits_its_stock_without_zeros(
    owner_web, workspace, shop, currency, price
):
    workspace.currency = currency
    workspace.save()
    coffee = shop["coffee"]

    listing = page(owner_web, "/admin/invoicing/product/")
    change = page(owner_web, f"/admin/invoicing/product/{coffee.pk}/change/")

    assert texts(listing, "price_display") == [price]
    assert input_value(change, "price") == "13"  # the input: what was typed, not 13.0000
    assert texts(change, "quantity_display") == ["45"]  # 53 counted, 4 sold, 4 invoiced through api2
    for stored in ("13.0000", "45.000", "4.000"):
        assert stored not in listing + change, stored


def test_stock_levels_read_without_trailing_zeros_under_arabic_captions(owner_web, workspace, shop, store):
    level = StockLevel.objects.get(product=shop["coffee"])

    listing = page(owner_web, "/admin/invoicing/stocklevel/", "ar")
    view = page(owner_web, f"/admin/invoicing/stocklevel/{level.pk}/change/", "ar")

    assert texts(listing, "quantity_display") == ["45"] and texts(view, "quantity_display") == ["45"]
    assert {"منتج", "متجر", "الكمية"} <= set(headers(listing))
    assert not {"Product", "Store"} & set(headers(listing))
    assert "45.000" not in listing + view
    assert ">متجر:<" in view.replace("\n", "") or "متجر:</label>" in view
    product_in_arabic = page(owner_web, f"/admin/invoicing/product/{shop['coffee'].pk}/change/", "ar")
    assert "متجر" in headers(product_in_arabic) and "Store" not in headers(product_in_arabic)


def test_the_ledger_names_each_document_and_person(owner_web, workspace, shop, owner):
    sale, issued = shop["sale"], shop["issued"]

    listing = page(owner_web, "/admin/invoicing/stockmovement/")

    # Newest first: the api2 invoice, the POS sale, the opening count.
    assert texts(listing, "reason_display") == [
        "Invoice — Sales invoice 000001",
        f"Sale — POS invoice {sale.public_id}",
        "Adjustment — Opening stock",
    ]
    assert texts(listing, "delta_display") == ["-4", "-4", "+53"]
    assert texts(listing, "by") == ["Sara Owner", "Sara Owner", "Stock keeper"]
    assert f'href="/admin/pos/posinvoice/{sale.pk}/change/"' in listing
    assert f'href="/admin/invoicing/invoice/{issued.pk}/change/"' in listing
    assert "pos_invoice" not in listing.replace('value="pos_invoice"', "").replace(
        "source_type=pos_invoice", ""
    )
    assert owner.email not in listing
    assert "POS invoice</a>" in listing and "Sales invoice</a>" in listing  # the document-type filter's words

    movement = StockMovement.objects.get(source_type="pos_invoice")
    view = page(owner_web, f"/admin/invoicing/stockmovement/{movement.pk}/change/")
    assert texts(view, "document") == [f"POS invoice {sale.public_id}"]
    assert texts(view, "by") == ["Sara Owner"] and texts(view, "delta_display") == ["-4"]
    assert texts(view, "direction") == ["Out"]


def test_a_movement_is_shown_in_the_workspaces_time(owner_web, workspace, shop):
    movement = StockMovement.objects.get(source_type="")
    moment = dt.datetime(2026, 1, 5, 22, 30, tzinfo=dt.UTC)  # 6 January 01:30 in Riyadh
    StockMovement.objects.filter(pk=movement.pk).update(created_at=moment)

    listing = page(owner_web, "/admin/invoicing/stockmovement/")

    assert local(moment, "Asia/Riyadh") in texts(listing, "created_at")
    assert local(moment, "UTC") not in listing


@pytest.mark.parametrize(
    ("currency", "total", "paid"), [("SAR", "52.44", "50.00"), ("KWD", "52.440", "50.000")]
)
def test_api2_invoices_in_the_currencys_digits(owner_web, workspace, store, owner, currency, total, paid):
    workspace.currency = currency
    workspace.save()
    coffee = ProductFactory(workspace=workspace, name="Arabic coffee", track_stock=False)
    vat = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"))
    invoice = sales_invoice_create(
        workspace=workspace,
        access=owner_access(workspace),
        client_id=ClientFactory(workspace=workspace, name="Nora").pk,
        store_id=store.pk,
        lines=[
            SalesInvoiceLine(
                product_id=coffee.pk, quantity=Decimal(4), unit_price=Decimal("11.4"), tax1_id=vat.pk
            )
        ],
        payments=[SalesInvoicePayment(payment_method="Cash", amount=Decimal(50))],
    )
    assert invoice.summary_total == Decimal("52.44")

    listing = page(owner_web, "/admin/invoicing/invoice/")
    view = page(owner_web, f"/admin/invoicing/invoice/{invoice.pk}/change/")

    assert texts(listing, "total_listed") == [total] and texts(listing, "paid_listed") == [paid]
    line_total = {"SAR": "45.60", "KWD": "45.600"}[currency]
    assert texts(view, "total_display") == [line_total, total]  # the line (before its tax), then the summary
    assert texts(view, "unpaid_display") == [total.replace("52.44", "2.44")]
    assert texts(view, "quantity_display") == ["4"]
    assert texts(view, "unit_price_display") == [{"SAR": "11.40", "KWD": "11.400"}[currency]]
    assert texts(view, "taxes_display") == ["VAT (15%)"]
    assert texts(view, "method_display") == ["Cash"] and texts(view, "amount_display") == [paid]
    assert texts(view, "created_by_name") == ["Sara Owner"] and owner.email not in view
    assert "4.000" not in view and "11.4000" not in view and "Summary" not in view


def test_an_invoice_in_another_currency_says_which(owner_web, workspace, store):
    coffee = ProductFactory(workspace=workspace, track_stock=False)
    sales_invoice_create(
        workspace=workspace,
        access=owner_access(workspace),
        client_id=ClientFactory(workspace=workspace).pk,
        store_id=store.pk,
        currency="USD",
        lines=[SalesInvoiceLine(product_id=coffee.pk, quantity=Decimal(1), unit_price=Decimal("7.5"))],
    )

    listing = page(owner_web, "/admin/invoicing/invoice/")

    assert texts(listing, "total_listed") == ["7.50 USD"]


def test_a_drafts_inputs_show_what_was_typed(owner_web, shop):
    draft = shop["draft"]

    html = page(owner_web, f"/admin/invoicing/invoice/{draft.pk}/change/")

    assert input_value(html, "items-0-quantity") == "1.5"
    assert input_value(html, "items-0-unit_price") == "11.4"
    assert input_value(html, "items-0-discount") == "0"
    assert input_value(html, "discount") == "0" and input_value(html, "discount_amount") == "0"
    shown = texts(html, "total_display")  # the line, the blank row a click adds, the summary
    assert (shown[0], shown[-1]) == ("17.10", "17.10")
    assert not re.search(r'value="\d+\.\d*000"', html)


def test_an_issued_invoices_header_reads_as_printed_in_arabic(owner_web, shop, owner):
    issued = shop["issued"]
    Invoice.objects.filter(pk=issued.pk).update(discount=Decimal("0"))

    html = page(owner_web, f"/admin/invoicing/invoice/{issued.pk}/change/", "ar")

    # The line's discount ("—": none), then the document's.
    assert texts(html, "discount_display") == ["—", "0"]
    assert texts(html, "discount_amount_display") == ["0.00", "0.00"]
    assert "0.000" not in html and "0.0000" not in html
    for english in ("Client", "Store", "Created by", "Summary", "Api key"):
        assert f">{english}:<" not in html and f">{english}<" not in html, english
    assert ">عميل:<" in html.replace("\n", "") or "عميل:</label>" in html
    assert "نقدًا" in texts(html, "method_display")


def test_the_lists_cost_the_same_with_more_rows(owner_web, workspace, store, shop):
    """A list's queries do not grow with its rows: products, stores, people and documents come with the rows."""
    urls = [
        f"/admin/invoicing/{name}/" for name in ("tax", "product", "stocklevel", "stockmovement", "invoice")
    ]
    before = [query_count(owner_web, url) for url in urls]
    access = owner_access(workspace)
    for _ in range(3):
        product = ProductFactory(
            workspace=workspace, price=Decimal("2.5"), taxes=[TaxFactory(workspace=workspace)]
        )
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=Decimal(9),
            reason="count",
            access=access,
        )
        sales_invoice_create(
            workspace=workspace,
            access=access,
            client_id=shop["customer"].pk,
            store_id=store.pk,
            lines=[SalesInvoiceLine(product_id=product.pk, quantity=Decimal(1), unit_price=Decimal("2.5"))],
        )

    assert [query_count(owner_web, url) for url in urls] == before
