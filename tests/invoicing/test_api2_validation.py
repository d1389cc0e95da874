"""Every rule of section 8's table, one row each: a 400 in api2's envelope naming the field as api2 names it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from invoicing.models import Invoice, InvoicePayment, StockMovement
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.api2_helpers import body, item, key_client, post_invoice
from tests.invoicing.factories import ProductFactory, StockLevelFactory, TaxFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(workspace, store, other_workspace):
    """The valid body's rows, and another workspace's client, store, product and tax."""
    product = ProductFactory(workspace=workspace, price=Decimal("10"))
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("5"))
    return {
        "client": ClientFactory(workspace=workspace),
        "store": store,
        "product": product,
        "vat": TaxFactory(workspace=workspace, rate=Decimal("15"), inclusive=False),
        "included": TaxFactory(workspace=workspace, rate=Decimal("15"), inclusive=True),
        "foreign_client": ClientFactory(workspace=other_workspace),
        "foreign_store": StoreFactory(workspace=other_workspace),
        "foreign_product": ProductFactory(workspace=other_workspace),
        "foreign_tax": TaxFactory(workspace=other_workspace),
    }


def valid_body(rows) -> dict[str, Any]:
    return {
        "Invoice": {
            "client_id": rows["client"].pk,
            "store_id": rows["store"].pk,
            "InvoiceItem": [item(rows["product"].pk, 2, 10, tax1=rows["vat"].pk)],
        }
    }


Change = Callable[[dict[str, Any], dict[str, Any]], None]


def invoice(**fields: Any) -> Change:
    def change(payload, rows):
        for name, value in fields.items():
            value = value(rows) if callable(value) else value
            if value is DELETE:
                payload["Invoice"].pop(name, None)
            else:
                payload["Invoice"][name] = value

    return change


def line(**fields: Any) -> Change:
    def change(payload, rows):
        for name, value in fields.items():
            value = value(rows) if callable(value) else value
            if value is DELETE:
                payload["Invoice"]["InvoiceItem"][0].pop(name, None)
            else:
                payload["Invoice"]["InvoiceItem"][0][name] = value

    return change


def whole(value: Any) -> Change:
    def change(payload, rows):
        payload.clear()
        payload["__raw__"] = value

    return change


DELETE = object()
PAYMENT = {"payment_method": "cash", "amount": "5"}

# (rule, change to the valid body, the validation_errors key it must answer with)
RULES: list[tuple[str, Change, str]] = [
    ("the body is not an object", whole([1]), "Invoice"),
    ("Invoice is missing", whole({"invoice": {}}), "Invoice"),
    ("Invoice is not an object", whole({"Invoice": "x"}), "Invoice"),
    ("client_id is mandatory", invoice(client_id=DELETE), "client_id"),
    ("client_id is not a number", invoice(client_id="abc"), "client_id"),
    ("client_id is an ObjectId", invoice(client_id="507f1f77bcf86cd799439011"), "client_id"),
    ("client_id is a boolean", invoice(client_id=True), "client_id"),
    ("client_id names nothing", invoice(client_id=999_999), "client_id"),
    ("client_id is another workspace's", invoice(client_id=lambda r: r["foreign_client"].pk), "client_id"),
    ("store_id is mandatory", invoice(store_id=DELETE), "store_id"),
    ("store_id is a decimal", invoice(store_id=1.5), "store_id"),
    ("store_id is another workspace's", invoice(store_id=lambda r: r["foreign_store"].pk), "store_id"),
    ("currency_code is lower case", invoice(currency_code="usd"), "currency_code"),
    ("currency_code is not ISO 4217", invoice(currency_code="XYZ"), "currency_code"),
    ("currency_code is the numeric code", invoice(currency_code=840), "currency_code"),
    ("date is not YYYY-MM-DD", invoice(date="23-03-2023"), "date"),
    ("date does not exist", invoice(date="2023-02-30"), "date"),
    ("draft is not 0/1", invoice(draft=2), "draft"),
    ("draft is a word", invoice(draft="yes"), "draft"),
    ("is_offline is not true/false/0/1", invoice(is_offline="maybe"), "is_offline"),
    ("is_offline is 2", invoice(is_offline=2), "is_offline"),
    ("discount is not a number", invoice(discount="ten"), "discount"),
    ("discount is above 100 %", invoice(discount=101), "discount"),
    ("discount is negative", invoice(discount=-1), "discount"),
    ("discount has five decimals", invoice(discount="1.00001"), "discount"),
    ("discount_amount is not a number", invoice(discount_amount="x"), "discount_amount"),
    ("discount_amount is negative", invoice(discount_amount=-5), "discount_amount"),
    ("discount_amount has more decimals than SAR", invoice(discount_amount="1.234"), "discount_amount"),
    ("discount and discount_amount together", invoice(discount=10, discount_amount=5), "discount_amount"),
    ("notes is not a string", invoice(notes=12), "notes"),
    ("po_number is too long", invoice(po_number="x" * 101), "po_number"),
    ("InvoiceItem is mandatory", invoice(InvoiceItem=DELETE), "InvoiceItem"),
    ("InvoiceItem is empty", invoice(InvoiceItem=[]), "InvoiceItem"),
    ("InvoiceItem is not a list", invoice(InvoiceItem={"product_id": 1}), "InvoiceItem"),
    ("an item is not an object", invoice(InvoiceItem=[5]), "InvoiceItem.0"),
    ("product_id is mandatory", line(product_id=DELETE), "InvoiceItem.0.product_id"),
    ("product_id is not a number", line(product_id="abc"), "InvoiceItem.0.product_id"),
    (
        "product_id is another workspace's",
        line(product_id=lambda r: r["foreign_product"].pk),
        "InvoiceItem.0.product_id",
    ),
    ("quantity is mandatory", line(quantity=DELETE), "InvoiceItem.0.quantity"),
    ("quantity is not a number", line(quantity="two"), "InvoiceItem.0.quantity"),
    ("quantity is NaN", line(quantity="NaN"), "InvoiceItem.0.quantity"),
    ("quantity is huge", line(quantity="1e999"), "InvoiceItem.0.quantity"),
    ("quantity is zero", line(quantity=0), "InvoiceItem.0.quantity"),
    ("quantity is negative", line(quantity=-1), "InvoiceItem.0.quantity"),
    ("quantity has four decimals", line(quantity="1.0005"), "InvoiceItem.0.quantity"),
    ("quantity is a boolean", line(quantity=True), "InvoiceItem.0.quantity"),
    ("unit_price is mandatory", line(unit_price=DELETE), "InvoiceItem.0.unit_price"),
    ("unit_price is not a number", line(unit_price="ten"), "InvoiceItem.0.unit_price"),
    ("unit_price is negative", line(unit_price=-1), "InvoiceItem.0.unit_price"),
    ("unit_price has five decimals", line(unit_price="1.00005"), "InvoiceItem.0.unit_price"),
    ("item discount is not a number", line(discount="x"), "InvoiceItem.0.discount"),
    ("item discount is negative", line(discount=-1), "InvoiceItem.0.discount"),
    ("item percent discount above 100", line(discount=101, discount_type=1), "InvoiceItem.0.discount"),
    ("item absolute discount above the line", line(discount=21, discount_type=2), "InvoiceItem.0.discount"),
    ("item absolute discount below a halala", line(discount="1.005", discount_type=2), "InvoiceItem.0.discount"),
    ("discount_type is not 1/2", line(discount_type=3), "InvoiceItem.0.discount_type"),
    ("discount_type is a word", line(discount_type="percent"), "InvoiceItem.0.discount_type"),
    ("tax1 is not a number", line(tax1="VAT"), "InvoiceItem.0.tax1"),
    ("tax1 names nothing", line(tax1=999_999), "InvoiceItem.0.tax1"),
    ("tax1 is another workspace's", line(tax1=lambda r: r["foreign_tax"].pk), "InvoiceItem.0.tax1"),
    ("tax2 is another workspace's", line(tax2=lambda r: r["foreign_tax"].pk), "InvoiceItem.0.tax2"),
    ("tax2 repeats tax1", line(tax2=lambda r: r["vat"].pk), "InvoiceItem.0.tax2"),
    ("tax2 mixes inclusive with exclusive", line(tax2=lambda r: r["included"].pk), "InvoiceItem.0.tax2"),
    ("col_3 is too long", line(col_3="x" * 256), "InvoiceItem.0.col_3"),
    ("col_4 is not a string", line(col_4=4), "InvoiceItem.0.col_4"),
    ("col_5 is a list", line(col_5=["x"]), "InvoiceItem.0.col_5"),
    ("short stock", line(quantity=6), "InvoiceItem.0.quantity"),
    ("payments on a draft", invoice(draft=1, Payment=[PAYMENT]), "Payment"),
    ("payments above the total", invoice(Payment=[{"payment_method": "cash", "amount": "23.01"}]), "Payment"),
    ("Payment is not a list", invoice(Payment="cash"), "Payment"),
    ("payment_method is mandatory", invoice(Payment=[{"amount": 5}]), "Payment.0.payment_method"),
    ("payment_method is blank", invoice(Payment=[{"payment_method": " ", "amount": 5}]), "Payment.0.payment_method"),
    ("payment amount is not a number", invoice(Payment=[{"payment_method": "cash", "amount": "x"}]), "Payment.0.amount"),
    ("payment amount is zero", invoice(Payment=[{"payment_method": "cash", "amount": 0}]), "Payment.0.amount"),
    ("payment amount below a halala", invoice(Payment=[{"payment_method": "cash", "amount": "1.001"}]), "Payment.0.amount"),
    ("payment date is not a date", invoice(Payment=[{**PAYMENT, "date": "today"}]), "Payment.0.date"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "change", "key"), RULES, ids=[rule for rule, _c, _k in RULES])
def test_each_rule_is_a_400_naming_its_field(workspace, rows, rule, change, key):
    api = key_client(workspace)
    payload = copy.deepcopy(valid_body(rows))
    change(payload, rows)
    payload = payload.get("__raw__", payload)

    response = post_invoice(api, payload)

    assert response.status_code == 400, (rule, response.content)
    answer = body(response)
    assert answer["code"] == 400 and answer["result"] == "failed" and answer["message"]
    assert list(answer["validation_errors"]) == [key], rule
    assert isinstance(answer["validation_errors"][key], str) and answer["validation_errors"][key]
    assert not Invoice.objects.exists()
    assert not StockMovement.objects.exists()


def test_the_valid_body_of_the_table_is_accepted(workspace, rows):
    """The table's rows fail for their own reason only: the body they start from is valid (total 23)."""
    payload = valid_body(rows)
    payload["Invoice"]["Payment"] = [{"payment_method": "cash", "amount": "23"}]

    response = post_invoice(key_client(workspace), payload)

    assert response.status_code == 202, response.content
    assert InvoicePayment.objects.get().amount == 23


def test_short_stock_says_insufficient_stock_on_each_short_line(workspace, rows):
    other = ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=rows["store"], product=other, quantity=Decimal("100"))
    payload = valid_body(rows)
    payload["Invoice"]["InvoiceItem"] = [
        item(rows["product"].pk, 3),
        item(other.pk, 1),
        item(rows["product"].pk, 3),  # 6 of 5 in all
    ]

    response = post_invoice(key_client(workspace), payload)

    assert response.status_code == 400
    assert body(response)["validation_errors"] == {
        "InvoiceItem.0.quantity": "insufficient stock",
        "InvoiceItem.2.quantity": "insufficient stock",
    }


def test_several_bad_fields_are_named_together(workspace, rows):
    payload = valid_body(rows)
    payload["Invoice"]["client_id"] = rows["foreign_client"].pk
    payload["Invoice"]["InvoiceItem"].append(
        item(rows["foreign_product"].pk, 1, 1, tax1=rows["foreign_tax"].pk)
    )

    response = post_invoice(key_client(workspace), payload)

    assert set(body(response)["validation_errors"]) == {
        "client_id",
        "InvoiceItem.1.product_id",
        "InvoiceItem.1.tax1",
    }


JUNK = [None, True, -1, 0, 1.5, "", "x" * 6000, "1e999", "NaN", "٣", [], {}, [{"a": 1}], {"a": [1]}]


def test_junk_in_any_field_is_never_a_500(workspace, rows):
    api = key_client(workspace)
    api.raise_request_exception = False
    base = valid_body(rows)
    base["Invoice"]["Payment"] = [dict(PAYMENT)]
    paths = [("Invoice", name) for name in [*base["Invoice"], "currency_code", "date", "draft", "discount",
             "discount_amount", "notes", "po_number", "is_offline"]]  # fmt: skip
    paths += [("item", name) for name in ["product_id", "quantity", "unit_price", "discount", "discount_type",
              "tax1", "tax2", "col_3", "col_4", "col_5"]]  # fmt: skip
    paths += [("payment", name) for name in ["payment_method", "amount", "date"]]
    for where, name in paths:
        for junk in JUNK:
            payload = copy.deepcopy(base)
            target = {
                "Invoice": payload["Invoice"],
                "item": payload["Invoice"]["InvoiceItem"][0],
                "payment": payload["Invoice"]["Payment"][0],
            }[where]
            target[name] = junk
            response = post_invoice(api, payload)
            assert response.status_code < 500, (where, name, junk, response.content[:300])


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"[]", b'"s"', b"1", b"", b'{"a":' * 5000])
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_garbage_bodies_are_a_400_in_the_api2_envelope(workspace, raw, content_type):
    response = key_client(workspace).generic("POST", "/api2/invoices.json", raw, content_type=content_type)

    assert response.status_code == 400
    answer = body(response)
    assert answer["code"] == 400 and answer["result"] == "failed"


def test_another_content_type_is_a_415(workspace):
    response = key_client(workspace).generic(
        "POST", "/api2/invoices.json", b"<x/>", content_type="application/xml"
    )
    assert response.status_code == 415
    assert body(response)["result"] == "failed"
