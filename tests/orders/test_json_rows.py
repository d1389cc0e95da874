"""On PostgreSQL `/orders` and `/invoices` are written by the database (`orders.api.json_rows`): each response byte
for byte what the serializers and the renderer write (the same request with `json_sql.available()` false), for
every kind of order and invoice: open, cancelled, partly and fully invoiced; signed for ZATCA or not; created by the
owner, a staff member, an API key, a deleted user or key; texts with quotes, controls and Arabic; amounts with 0, 2,
3 and 4 places; meta fields of any JSON. A row whose JSON PostgreSQL cannot write exactly (a number with a decimal
point, read by Python as a float) is written by Python in the same page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.zatca.models import ZatcaDocument
from orders import services
from orders.api import json_rows
from orders.models import Order, OrderInvoice, OrderLineItem
from tests.factories import owner_access
from tests.invoicing.factories import ProductFactory, TaxFactory
from tests.invoicing.zatca.sellers import sandbox_device
from tests.orders.conftest import access_of, make_order, token_client
from workspaces import json_sql
from workspaces.models import ApiKey, User
from workspaces.services import api_key_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TEXT = 'قهوة "عربية" \\ \t\n\x01\x1f ☕ 🍵'
META = [
    {"key": "نوع الطلب", "value": 'a "b" \\ \n\x02 , : {}'},
    {"nested": {"zz": 1, "a": [True, False, None, -3, 10**20, ""], "": {}}},
    "plain, text: with blanks",
    7,
    None,
    [],
    {},
]


def same_as_python(api, path, monkeypatch, *, queries):
    """The response to `path`, after checking it is the Python path's byte for byte and took `queries` queries
    (auth 2, the page 1, and the rows left to Python 2 or 3)."""
    with CaptureQueriesContext(connection) as captured:
        written = api.get(path)
    count = len(captured)  # the next request clears the log
    with monkeypatch.context() as python:
        python.setattr(json_sql, "available", lambda: False)
        expected = api.get(path)
    assert written.status_code == 200, written.content
    assert written.content == expected.content
    assert count == queries
    return written.json()


def left_to_python(model, workspace):
    rows, _cursor = json_rows.page(model, workspace_id=workspace.pk, limit=1000, cursor=None)
    return {row["id"] for row in rows if row["json"] is None}


def test_every_kind_of_order_is_written_as_python_writes_it(owner, workspace, vat, monkeypatch):
    api = token_client(owner)
    zero = TaxFactory(workspace=workspace, name="Zero «0»", rate=Decimal("0"), inclusive=False)
    product = ProductFactory(workspace=workspace, name=TEXT, taxes=[vat])
    lines = [(TEXT, "0.125", "12.3456", "0.5", [vat, zero]), ("Delivery", "3", "80", "10", [])]
    open_order = make_order(workspace, owner, lines, meta_fields=META)
    OrderLineItem.objects.filter(order=open_order, name=TEXT).update(product=product)
    cancelled = make_order(workspace, owner, [("Tea", "2", "1.25", "0")])
    services.order_cancel(workspace=workspace, access=access_of(workspace, owner), order_id=cancelled.pk)
    partly = make_order(workspace, owner, [("Mint", "10", "2.5", "1", [vat]), ("Dates", "2", "12.08", "0")])
    line = partly.line_items.order_by("pk").first()
    body = {"orderId": partly.pk, "lineItems": [{"lineItemId": line.pk, "quantity": "2.5"}]}
    assert api.post("/invoices", body, format="json").status_code == 201
    fully = make_order(workspace, owner, [("Cake", "1", "30", "0", [vat])])
    assert api.post("/invoices", {"orderId": fully.pk}, format="json").status_code == 201
    # What only the admin or an older row leaves behind: no store, odd tax snapshots, amounts of any scale.
    bare = make_order(workspace, owner, [("Water", "1", "1", "0")])
    Order.objects.filter(pk=bare.pk).update(store=None, total=Decimal("1234567.891"), meta_fields=["x"])
    OrderLineItem.objects.filter(order=bare).update(
        taxes=[{"id": "7"}, {"id": -2}], unit_price=Decimal("0.0001")
    )

    data = same_as_python(api, "/orders", monkeypatch, queries=3)["data"]

    assert left_to_python(Order, workspace) == set()
    assert [row["status"] for row in data] == ["open", "open", "open", "cancelled", "open"]
    assert data[-1]["metaFields"] == META and data[-1]["lineItems"][0]["productId"] == str(product.pk)
    assert data[-1]["lineItems"][0]["taxIds"] == [str(vat.pk), str(zero.pk)]
    assert [item["invoicedQuantity"] for item in data[2]["lineItems"]] == [2.5, 0]
    assert data[0]["storeId"] is None and data[0]["lineItems"][0]["taxIds"] == ["7", "-2"]
    first = same_as_python(api, "/orders?limit=2", monkeypatch, queries=3)
    rest = same_as_python(api, f"/orders?limit=2&cursor={first['nextCursor']}", monkeypatch, queries=3)
    assert [row["id"] for row in first["data"] + rest["data"]] == [row["id"] for row in data[:4]]


def test_an_order_whose_json_python_reads_as_floats_is_written_by_python(owner, workspace, monkeypatch):
    api = token_client(owner)
    plain = make_order(workspace, owner, [("Tea", "1", "1", "0")], meta_fields=[{"count": 3}])
    floats = make_order(workspace, owner, [("Tea", "1", "1", "0")], meta_fields=[{"price": 12.5}, 1.0, 0.1])
    oddly_taxed = make_order(workspace, owner, [("Tea", "1", "1", "0")])
    OrderLineItem.objects.filter(order=oddly_taxed).update(taxes=[{"id": 1.0}])

    # auth 2, the page 1, the orders left to Python and their lines 2
    data = same_as_python(api, "/orders", monkeypatch, queries=5)["data"]

    assert left_to_python(Order, workspace) == {floats.pk, oddly_taxed.pk}
    assert [row["id"] for row in data] == [str(oddly_taxed.pk), str(floats.pk), str(plain.pk)]
    assert data[1]["metaFields"] == [{"price": 12.5}, 1.0, 0.1]


@pytest.fixture
def invoices(owner, workspace, store, vat, clerk):
    """An invoice each: the owner's, a staff member's, an API key's, a deleted user's, a deleted key's (none
    signed), then the owner's twice with the store's ZATCA device: one whose document holds floats."""
    made = {}
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name='Platform "«1»" \\')
    gone_key, gone_raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="Old")
    User.objects.filter(pk=owner.pk).update(name=TEXT)
    for name, api in [
        ("owner", token_client(owner)),
        ("staff", token_client(clerk)),
        ("key", token_client(raw=raw)),
        ("deleted user", token_client(clerk)),
        ("deleted key", token_client(raw=gone_raw)),
    ]:
        order = make_order(workspace, owner, [(TEXT, "1.5", "10.05", "0.01", [vat])])
        response = api.post("/invoices", {"orderId": order.pk, "metaFields": [{"key": TEXT}]}, format="json")
        assert response.status_code == 201, response.content
        made[name] = int(response.json()["data"]["id"])
    OrderInvoice.objects.filter(pk=made["deleted user"]).update(created_by=None)
    OrderInvoice.objects.filter(pk=made["owner"]).update(meta_fields=META)  # past the API's checks (10^20)
    ApiKey.objects.filter(pk=gone_key.pk).delete()
    sandbox_device(workspace, store)
    for name in ("signed", "signed with floats"):
        order = make_order(workspace, owner, [("Coffee", "3", "80", "10", [vat])])
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = token_client(owner).post("/invoices", {"orderId": order.pk}, format="json")
        assert response.status_code == 201, response.content
        made[name] = int(response.json()["data"]["id"])
    ZatcaDocument.objects.filter(source_id=made["signed"]).update(
        errors=[{"code": "BR-KSA-01", "message": TEXT}], warnings=[{"category": "x", "status": "WARNING"}]
    )
    ZatcaDocument.objects.filter(source_id=made["signed with floats"]).update(warnings=[{"score": 0.5}])
    return made


def test_every_kind_of_invoice_is_written_as_python_writes_it(owner, workspace, invoices, monkeypatch):
    api = token_client(owner)

    # auth 2, the page 1, the invoice left to Python (invoice + creator, lines, its document) 3
    data = same_as_python(api, "/invoices", monkeypatch, queries=6)["data"]

    assert left_to_python(OrderInvoice, workspace) == {invoices["signed with floats"]}
    by_id = {int(row["id"]): row for row in data}
    assert by_id[invoices["signed"]]["zatca"]["errors"] == [{"code": "BR-KSA-01", "message": TEXT}]
    assert by_id[invoices["signed with floats"]]["zatca"]["warnings"] == [{"score": 0.5}]
    assert all("zatca" not in by_id[invoices[name]] for name in ("owner", "staff", "key", "deleted key"))
    assert by_id[invoices["owner"]]["createdBy"] == {"id": str(owner.pk), "name": TEXT, "type": "admin"}
    assert by_id[invoices["staff"]]["createdBy"]["type"] == "staff"
    assert by_id[invoices["key"]]["createdBy"]["name"] == 'Platform "«1»" \\'
    assert by_id[invoices["deleted user"]]["createdBy"] == {"id": None, "name": None, "type": "staff"}
    assert by_id[invoices["deleted key"]]["createdBy"] == {"id": None, "name": None, "type": "admin"}
    assert by_id[invoices["owner"]]["metaFields"] == META
    first = same_as_python(api, "/invoices?limit=3", monkeypatch, queries=6)
    rest = same_as_python(api, f"/invoices?limit=3&cursor={first['nextCursor']}", monkeypatch, queries=3)
    assert [row["id"] for row in first["data"] + rest["data"]] == [row["id"] for row in data[:6]]
    order_id = OrderInvoice.objects.get(pk=invoices["signed"]).order_id
    one = same_as_python(api, f"/invoices?orderId={order_id}", monkeypatch, queries=3)["data"]
    assert [row["id"] for row in one] == [str(invoices["signed"])]


# Any text an order platform can send (PostgreSQL refuses NUL in text; lone surrogates cannot reach the database).
TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=TEXTS,
    note=TEXTS,
    whole=st.integers(min_value=-(10**30), max_value=10**30),
    amount=st.decimals(min_value=0, max_value=10**9, places=3),
    price=st.decimals(min_value=0, max_value=10**9, places=4),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=10**9, places=3),
)
def test_any_text_and_amount_is_written_as_python_writes_it(
    owner, workspace, monkeypatch, name, note, whole, amount, price, quantity
):
    api = token_client(owner)
    order = make_order(workspace, owner, [("Tea", "1", "1", "0")])
    assert api.post("/invoices", {"orderId": order.pk}, format="json").status_code == 201
    OrderLineItem.objects.filter(order=order).update(
        name=name, unit_price=price, quantity=quantity, discount=amount, invoiced_quantity=quantity
    )
    meta = [{note: note, "n": whole}, note, whole]
    Order.objects.filter(pk=order.pk).update(total=amount, meta_fields=meta)
    OrderInvoice.objects.filter(order=order).update(total=amount, meta_fields=meta)
    order.invoices.get().lines.update(quantity=quantity)

    same_as_python(api, "/orders?limit=1", monkeypatch, queries=3)
    same_as_python(api, "/invoices?limit=1", monkeypatch, queries=3)
