"""Seed 004 to the letter: the example request as its curl sends it, then every stored field through the view."""

import re
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from tests.factories import ClientFactory
from tests.invoicing.api2_helpers import body, item, key_client, post_invoice, seed_request
from tests.invoicing.factories import ProductFactory, StockLevelFactory, TaxFactory
from workspaces.dates import workspace_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(workspace, store):
    client = ClientFactory(workspace=workspace, name="Acme")
    first = ProductFactory(workspace=workspace, name="Consulting hour")
    second = ProductFactory(workspace=workspace, name="Report")
    for product in (first, second):
        StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("10"))
    return client, first, second


def _seed_invoice(client, store, first, second) -> dict:
    return {
        "id": 1,
        "no": "000001",
        "client_id": client.pk,
        "store_id": store.pk,
        "currency_code": "USD",
        "date": "2023-03-23",
        "draft": 0,
        "discount": 0,
        "discount_amount": 0,
        "notes": "Invoice for March services",
        "po_number": None,
        "is_offline": 0,
        # Checked by hand: 2 × 100 = 200; 1 × 50 = 50 less 10 % = 45; 200 + 45 = 245.
        "summary_subtotal": 250,
        "summary_discount": 5,
        "summary_tax": 0,
        "summary_total": 245,
        "summary_paid": 0,
        "summary_unpaid": 245,
    }


def _line(line_id, product, quantity, unit_price, subtotal, discount_amount, tax_amount, total, **fields):
    return {
        "id": line_id,
        "product_id": product.pk,
        "quantity": quantity,
        "unit_price": unit_price,
        "discount": fields.get("discount", 0),
        "discount_type": fields.get("discount_type", 1),
        "tax1": fields.get("tax1"),
        "tax2": fields.get("tax2"),
        "col_3": fields.get("col_3"),
        "col_4": fields.get("col_4"),
        "col_5": fields.get("col_5"),
        "subtotal": subtotal,
        "discount_amount": discount_amount,
        "tax_amount": tax_amount,
        "total": total,
    }


def test_the_seed_request_byte_for_byte_as_text_plain_on_the_doubled_prefix(workspace, store, catalogue):
    client, first, second = catalogue
    api = key_client(workspace)
    raw = seed_request(
        client_id=client.pk, store_id=store.pk, first_product_id=first.pk, second_product_id=second.pk
    )

    response = api.generic("POST", "/api2/api2/invoices.json", raw, content_type="text/plain")

    assert response.status_code == 202
    invoice = Invoice.objects.get()
    assert response.content == f'{{"code":202,"result":"successful","id":{invoice.pk}}}'.encode()
    view = api.get(f"/api2/invoices/{invoice.pk}.json")
    assert view.status_code == 200
    assert body(view) == {
        "code": 200,
        "result": "successful",
        "data": {
            "Invoice": _seed_invoice(client, store, first, second) | {"id": invoice.pk},
            "InvoiceItem": [
                _line(invoice.items.order_by("pk")[0].pk, first, 2, 100, 200, 0, 0, 200),
                _line(
                    invoice.items.order_by("pk")[1].pk,
                    second,
                    1,
                    50,
                    50,
                    5,
                    0,
                    45,
                    discount=10,
                    discount_type=1,
                ),
            ],
            "Payment": [],
        },
    }
    # Ids are JSON integers, amounts exact numbers (no quotes, no float noise).
    assert b'"summary_total":245,' in view.content
    assert f'"client_id":{client.pk},'.encode() in view.content


def test_the_seed_request_with_vat_exclusive_on_both_lines(workspace, store, catalogue):
    client, first, second = catalogue
    vat = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"), inclusive=False)
    api = key_client(workspace)
    raw = seed_request(
        client_id=client.pk, store_id=store.pk, first_product_id=first.pk, second_product_id=second.pk
    )
    raw = raw.replace(b'"unit_price": 100\n', f'"unit_price": 100,\n"tax1": {vat.pk}\n'.encode())
    raw = raw.replace(b'"discount_type": 1\n', f'"discount_type": 1,\n"tax1": {vat.pk}\n'.encode())

    response = api.generic("POST", "/api2/invoices.json", raw, content_type="text/plain")

    assert response.status_code == 202, response.content
    data = body(api.get(f"/api2/invoices/{body(response)['id']}.json"))["data"]
    # Checked by hand: 15 % of 200 = 30 and of 45 = 6.75; tax 36.75 (15 % of 245); total 245 + 36.75 = 281.75.
    assert {key: data["Invoice"][key] for key in data["Invoice"] if key.startswith("summary_")} == {
        "summary_subtotal": Decimal("250"),
        "summary_discount": Decimal("5"),
        "summary_tax": Decimal("36.75"),
        "summary_total": Decimal("281.75"),
        "summary_paid": Decimal("0"),
        "summary_unpaid": Decimal("281.75"),
    }
    assert [(line["tax1"], line["tax_amount"], line["total"]) for line in data["InvoiceItem"]] == [
        (vat.pk, Decimal("30"), Decimal("200")),
        (vat.pk, Decimal("6.75"), Decimal("45")),
    ]


def test_the_items_beside_invoice_with_payments_and_every_optional_field(workspace, store, catalogue):
    client, first, _second = catalogue
    vat = TaxFactory(workspace=workspace, rate=Decimal("15"))
    city_tax = TaxFactory(workspace=workspace, rate=Decimal("5"))
    api = key_client(workspace, header="apikey")
    payload = {
        "Invoice": {
            "client_id": str(client.pk),  # numeric strings are ids too
            "store_id": store.pk,
            "currency_code": "SAR",
            "date": "2025-03-19",
            "draft": "0",
            "discount_amount": "10.5",
            "notes": "ملاحظات",
            "po_number": "PO-77",
            "is_offline": True,
            "InvoiceItem": [item(first.pk, 99, 99)],  # the list beside wins over this one
        },
        "InvoiceItem": [
            item(
                first.pk,
                "1.5",
                "100",
                discount=20,
                discount_type=2,
                tax1=vat.pk,
                tax2=city_tax.pk,
                col_3="A",
                col_4="",
                col_5="C",
            ),
        ],
        "Payment": [
            {"payment_method": "cash", "amount": "50", "date": "2025-03-20"},
            {"payment_method": "card", "amount": 10},
        ],
        "unknown": "ignored",
    }

    response = post_invoice(api, payload)

    assert response.status_code == 202, response.content
    invoice_id = body(response)["id"]
    data = body(api.get(f"/api2/invoices/{invoice_id}.json"))["data"]
    # By hand: 1.5 × 100 = 150, less 20 = 130, less the document's 10.5 = 119.5;
    # tax 15 % = 17.925 -> 17.93 and 5 % = 5.975 -> 5.98, both on 119.5: 23.91; total 143.41; paid 60.
    assert data["Invoice"] == {
        "id": invoice_id,
        "no": "000001",
        "client_id": client.pk,
        "store_id": store.pk,
        "currency_code": "SAR",
        "date": "2025-03-19",
        "draft": 0,
        "discount": 0,
        "discount_amount": Decimal("10.5"),
        "notes": "ملاحظات",
        "po_number": "PO-77",
        "is_offline": 1,
        "summary_subtotal": 150,
        "summary_discount": Decimal("30.5"),
        "summary_tax": Decimal("23.91"),
        "summary_total": Decimal("143.41"),
        "summary_paid": 60,
        "summary_unpaid": Decimal("83.41"),
    }
    [line] = data["InvoiceItem"]
    assert line == _line(
        line["id"],
        first,
        Decimal("1.5"),
        100,
        150,
        Decimal("30.5"),
        Decimal("23.91"),
        Decimal("119.5"),
        discount=20,
        discount_type=2,
        tax1=vat.pk,
        tax2=city_tax.pk,
        col_3="A",
        col_4="",
        col_5="C",
    )
    payments = data["Payment"]
    assert [(p["payment_method"], p["amount"], p["date"]) for p in payments] == [
        ("cash", 50, "2025-03-20"),
        ("card", 10, str(workspace_today(workspace))),  # a payment without a date is dated today
    ]
    view = api.get(f"/api2/invoices/{invoice_id}.json")
    assert re.search(rb'"Payment":\[\{"id":[0-9]+,"payment_method":"cash","amount":50,', view.content)


def test_a_document_percent_discount_is_shared_over_the_lines(workspace, store, catalogue):
    client, first, second = catalogue
    api = key_client(workspace)
    payload = {
        "Invoice": {
            "client_id": client.pk,
            "store_id": store.pk,
            "discount": 10,
            "InvoiceItem": [item(first.pk, 2, 100), item(second.pk, 1, 50, discount=10)],
        }
    }

    response = post_invoice(api, payload)

    data = body(api.get(f"/api2/invoices/{body(response)['id']}.json"))["data"]
    # 245 less 10 % = 220.5: 20 on the 200 line, 4.5 on the 45 line. Currency and date default to the workspace's.
    assert (data["Invoice"]["summary_discount"], data["Invoice"]["summary_total"]) == (
        Decimal("29.5"),
        Decimal("220.5"),
    )
    assert [line["discount_amount"] for line in data["InvoiceItem"]] == [20, Decimal("9.5")]
    assert data["Invoice"]["currency_code"] == "SAR"
    assert data["Invoice"]["discount"] == 10


def test_numbers_are_gapless_per_workspace_and_not_used_by_a_refused_invoice(
    workspace, store, catalogue, other_workspace
):
    client, first, _second = catalogue
    api = key_client(workspace)
    good = {"Invoice": {"client_id": client.pk, "store_id": store.pk, "InvoiceItem": [item(first.pk)]}}
    short = {"Invoice": {"client_id": client.pk, "store_id": store.pk, "InvoiceItem": [item(first.pk, 100)]}}

    assert post_invoice(api, good).status_code == 202
    assert post_invoice(api, short).status_code == 400
    second = body(post_invoice(api, good))["id"]

    assert body(api.get(f"/api2/invoices/{second}.json"))["data"]["Invoice"]["no"] == "000002"


def test_the_list_pages_newest_first_with_its_pagination(workspace, store, catalogue):
    client, first, _second = catalogue
    first.track_stock = False
    first.save()
    api = key_client(workspace)
    ids = [
        body(
            post_invoice(
                api,
                {"Invoice": {"client_id": client.pk, "store_id": store.pk, "InvoiceItem": [item(first.pk)]}},
            )
        )["id"]
        for _ in range(5)
    ]

    page = body(api.get("/api2/invoices.json?page=2&limit=2"))

    assert page["code"] == 200 and page["result"] == "successful"
    assert [row["Invoice"]["id"] for row in page["data"]] == [ids[2], ids[1]]
    assert set(page["data"][0]) == {"Invoice"}
    assert page["pagination"] == {"page": 2, "limit": 2, "total_results": 5, "total_pages": 3}
    whole = body(api.get("/api2/invoices.json"))
    assert whole["pagination"] == {"page": 1, "limit": 20, "total_results": 5, "total_pages": 1}
    assert [row["Invoice"]["id"] for row in whole["data"]] == ids[::-1]
    assert body(api.get("/api2/invoices.json?limit=1000"))["pagination"]["limit"] == 100
    beyond = body(api.get("/api2/invoices.json?page=9"))
    assert beyond["data"] == [] and beyond["pagination"]["page"] == 9


@pytest.mark.parametrize(
    ("query", "field"), [("page=0", "page"), ("page=x", "page"), ("limit=0", "limit"), ("limit=-3", "limit")]
)
def test_a_bad_page_or_limit_is_a_400(workspace, query, field):
    response = key_client(workspace).get(f"/api2/invoices.json?{query}")
    assert response.status_code == 400
    assert list(body(response)["validation_errors"]) == [field]


def test_an_empty_list(workspace):
    assert body(key_client(workspace).get("/api2/invoices.json")) == {
        "code": 200,
        "result": "successful",
        "data": [],
        "pagination": {"page": 1, "limit": 20, "total_results": 0, "total_pages": 0},
    }


@pytest.mark.parametrize("rows", [1, 12])
def test_the_list_costs_the_same_queries_whatever_its_length(
    workspace, store, catalogue, rows, django_assert_num_queries
):
    client, first, _second = catalogue
    api = key_client(workspace)
    for _ in range(rows):
        post_invoice(
            api,
            {
                "Invoice": {
                    "client_id": client.pk,
                    "store_id": store.pk,
                    "InvoiceItem": [item(first.pk, "0.5")],
                }
            },
        )

    # The API key, the count, the page.
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get("/api2/invoices.json")

    assert len(body(response)["data"]) == rows


@pytest.mark.parametrize("items", [1, 6])
def test_the_view_costs_the_same_queries_whatever_its_items(
    workspace, store, catalogue, items, django_assert_num_queries
):
    client, first, _second = catalogue
    api = key_client(workspace)
    payload = {
        "Invoice": {
            "client_id": client.pk,
            "store_id": store.pk,
            "InvoiceItem": [item(first.pk, "0.1")] * items,
        }
    }
    invoice_id = body(post_invoice(api, payload))["id"]

    # The API key, the invoice, its items, its payments.
    with django_assert_num_queries(VIEW_QUERIES):
        response = api.get(f"/api2/invoices/{invoice_id}.json")

    assert len(body(response)["data"]["InvoiceItem"]) == items


def test_an_unknown_invoice_is_an_api2_404(workspace):
    response = key_client(workspace).get("/api2/invoices/999999.json")
    assert response.status_code == 404
    assert body(response) == {"code": 404, "result": "failed", "message": "Invoice not found."}


# + the page's ZATCA documents (section 8c: one query for the page, whatever its length)
LIST_QUERIES = 4
VIEW_QUERIES = 5
