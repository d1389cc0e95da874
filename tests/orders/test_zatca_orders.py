"""Order invoices as ZATCA documents (PRODUCT.md sections 7, 8b, 8c), end to end through `/invoices` on a sandbox
store onboarded for both kinds (`1100`): cleared, reported, rejected, refused for an incomplete buyer, unsignable,
read back (`zatca`, `zatca.xml`), in the admin, and sharing one chain with api2 invoices under real threads."""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from lxml import etree
from rest_framework.test import APIClient

from invoicing.models import Tax
from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH, invoice_hash
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.reporting import run_once
from invoicing.zatca.signing import verify
from orders.models import Order, OrderInvoice, OrderLineItem
from tests.concurrency import run_together, values_of
from tests.factories import ClientFactory, StoreFactory, owner_access
from tests.invoicing.factories import ProductFactory
from tests.invoicing.helpers import body
from tests.invoicing.zatca.sellers import sandbox_device
from tests.orders.conftest import make_order, token_client
from workspaces import json_sql
from workspaces.services import api_key_create

pytestmark = pytest.mark.django_db

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
XSD = Path(__file__).resolve().parents[1] / "data" / "zatca" / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd"
BUYER_ADDRESS = {
    "street": "Prince Sultan",
    "buildingNumber": "2322",
    "district": "Al-Murabba",
    "city": "Riyadh",
    "postalCode": "23333",
    "countryCode": "SA",
}
ZATCA_KEYS = ["kind", "status", "uuid", "icv", "hash", "qr", "errors", "warnings"]


@pytest.fixture
def device(workspace, store):
    return sandbox_device(workspace, store)


def business(workspace, *, vat_number="399999999900003", address=BUYER_ADDRESS, name="مطعم النخيل"):
    return ClientFactory(
        workspace=workspace, name=name, tax_number=vat_number, address=address, cr_number="1010101010"
    )


def coffee_order(workspace, owner, vat, client=None, *, taxes=None):
    """3 × 80.00 less 10.00 off the line, 15 % VAT: 230.00 + 34.50 = 264.50 (and 1 × 20.00 delivery, no VAT)."""
    return make_order(
        workspace,
        owner,
        [("Coffee beans 1 kg", "3", "80", "10", taxes or [vat]), ("Delivery", "1", "20", "0", [])],
        client_id=client.pk if client else None,
    )


def invoice(api, order):
    # The request's after-commit work (the clearance) runs once the answer is written, as a keyed request's does:
    # the answer says `pending`; a GET reads the state after.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post("/invoices", {"orderId": str(order.pk)}, format="json")


def zatca(api, invoice_id):
    return body(api.get(f"/invoices/{invoice_id}"))["data"]["zatca"]


def test_an_order_invoice_to_a_vat_registered_client_is_cleared(device, workspace, owner, vat):
    api = token_client(owner)
    order = coffee_order(workspace, owner, vat, business(workspace))

    response = invoice(api, order)

    assert response.status_code == 201, response.content
    created = body(response)["data"]
    assert list(created)[-2:] == ["id", "zatca"]  # seed 003's keys in their order, then `zatca`
    assert list(created["zatca"]) == ZATCA_KEYS
    assert created["zatca"]["kind"] == "standard" and created["zatca"]["status"] == "pending"
    read = body(api.get(f"/invoices/{created['id']}"))["data"]
    assert read["zatca"]["status"] == "cleared" and read["zatca"]["icv"] == 1
    assert read["zatca"]["hash"] == created["zatca"]["hash"] and read["zatca"]["errors"] == []

    xml_response = api.get(f"/invoices/{created['id']}/zatca.xml")
    assert xml_response.status_code == 200 and xml_response["Content-Type"] == "application/xml"
    xml = xml_response.content
    document = ZatcaDocument.objects.get()
    assert xml == bytes(document.cleared_xml)  # ZATCA's cleared XML is what the buyer gets
    root = etree.fromstring(xml)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.ElementTree(root))
    assert invoice_hash(xml) == read["zatca"]["hash"]
    assert verify(xml, x509.load_pem_x509_certificate(ZatcaDevice.objects.get().certificate.encode()))
    assert root.xpath("cbc:InvoiceTypeCode", namespaces=NS)[0].text == "388"
    assert root.xpath("cbc:InvoiceTypeCode/@name", namespaces=NS) == ["0100000"]
    assert (
        root.xpath("cbc:ID", namespaces=NS)[0].text == created["id"]
    )  # its number: its id, as the API shows
    buyer = root.xpath("cac:AccountingCustomerParty/cac:Party", namespaces=NS)[0]
    assert buyer.xpath("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS)[0].text == "399999999900003"
    assert buyer.xpath("cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS)[0].text == "مطعم النخيل"
    assert buyer.xpath("cac:PostalAddress/cbc:CityName", namespaces=NS)[0].text == "Riyadh"
    assert buyer.xpath("cac:PostalAddress/cbc:PostalZone", namespaces=NS)[0].text == "23333"
    created_at = OrderInvoice.objects.get().created_at.astimezone(zoneinfo.ZoneInfo(workspace.timezone))
    assert root.xpath("cac:Delivery/cbc:ActualDeliveryDate", namespaces=NS)[0].text == str(created_at.date())
    assert root.xpath("cbc:IssueDate", namespaces=NS)[0].text == str(created_at.date())
    # The XML's figures are the API's: 240 − 10 + 20 = 250 net, VAT 34.50 on 230, total 284.50.
    payable = Decimal(root.xpath("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)[0].text)
    assert payable == read["total"] == Decimal("284.50")
    assert Decimal(root.xpath("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)[0].text) == Decimal("34.50")
    categories = root.xpath("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()", namespaces=NS)
    assert categories == ["S", "O"]  # the delivery line carries no VAT: out of scope
    assert run_once() == {}  # cleared: nothing for the worker


def test_an_order_invoice_without_a_vat_number_is_simplified_and_reported(device, workspace, owner, vat):
    api = token_client(owner)
    walk_in = ClientFactory(workspace=workspace, name="Walk-in")
    first = body(invoice(api, coffee_order(workspace, owner, vat, walk_in)))["data"]
    second = body(invoice(api, coffee_order(workspace, owner, vat)))["data"]  # no client at all

    assert [first["zatca"]["kind"], second["zatca"]["kind"]] == ["simplified", "simplified"]
    assert zatca(api, first["id"])["status"] == "pending"
    root = etree.fromstring(api.get(f"/invoices/{first['id']}/zatca.xml").content)
    assert root.xpath("cbc:InvoiceTypeCode/@name", namespaces=NS) == ["0200000"]
    assert ZatcaDocument.objects.get(source_id=first["id"]).cleared_xml is None

    assert run_once() == {"reported": 2}

    assert zatca(api, first["id"])["status"] == "reported"
    assert zatca(api, second["id"])["status"] == "reported"
    chain = list(ZatcaDocument.objects.order_by("icv").values_list("icv", "previous_hash", "hash"))
    assert [(icv, previous) for icv, previous, _h in chain] == [(1, FIRST_PREVIOUS_HASH), (2, chain[0][2])]


def test_a_rejected_invoice_keeps_its_place_and_the_next_is_cleared(device, workspace, owner, vat):
    api = token_client(owner)
    refused_buyer = business(workspace, vat_number="300000000000003")
    rejected_id = body(invoice(api, coffee_order(workspace, owner, vat, refused_buyer)))["data"]["id"]
    after_id = body(invoice(api, coffee_order(workspace, owner, vat, business(workspace, name="Other"))))[
        "data"
    ]["id"]

    rejected, after = zatca(api, rejected_id), zatca(api, after_id)
    assert rejected["status"] == "rejected"
    assert rejected["errors"][0]["message"].startswith("BR-KSA-40")
    assert after["status"] == "cleared" and after["icv"] == rejected["icv"] + 1
    assert (
        OrderInvoice.objects.count() == 2
    )  # a rejected invoice stays: corrected by a credit note, never re-signed
    assert run_once() == {}


def test_an_incomplete_buyer_is_refused_and_nothing_is_written(device, workspace, owner, vat):
    api = token_client(owner)
    partial = business(workspace, address={**BUYER_ADDRESS, "city": "", "postalCode": "123"})
    order = coffee_order(workspace, owner, vat, partial)

    refused = invoice(api, order)

    assert refused.status_code == 400
    assert body(refused) == {
        "success": False,
        "message": "Validation error: client.address.city: Required for a standard tax invoice (ZATCA).; "
        "client.address.postalCode: Required for a standard tax invoice (ZATCA).",
    }
    assert not OrderInvoice.objects.exists() and not ZatcaDocument.objects.exists()
    assert set(OrderLineItem.objects.filter(order=order).values_list("invoiced_quantity", flat=True)) == {0}
    assert ZatcaDevice.objects.get().icv == 0
    # The next invoice is unaffected: the first of the chain; and once the address is complete, this order too.
    complete = business(workspace, name="Complete")
    next_one = body(invoice(api, coffee_order(workspace, owner, vat, complete)))["data"]
    state = zatca(api, next_one["id"])
    assert (state["icv"], state["status"]) == (1, "cleared")
    partial.address = BUYER_ADDRESS
    partial.save()
    fixed = body(invoice(api, order))["data"]
    assert zatca(api, fixed["id"])["icv"] == 2


def test_a_line_with_two_taxes_cannot_be_signed(device, workspace, owner, vat):
    api = token_client(owner)
    levy = Tax.objects.create(workspace=workspace, name="Levy", rate=Decimal(5))
    order = coffee_order(workspace, owner, vat, business(workspace), taxes=[vat, levy])

    refused = invoice(api, order)

    assert refused.status_code == 422
    assert body(refused) == {
        "success": False,
        "message": "“Coffee beans 1 kg” carries two taxes; a ZATCA document states one VAT per line.",
    }
    assert not OrderInvoice.objects.exists() and not ZatcaDocument.objects.exists()
    assert ZatcaDevice.objects.get().icv == 0


def test_an_invoice_of_a_store_that_signs_nothing_reads_as_seed_003(workspace, owner, vat):
    api = token_client(owner)

    created = body(invoice(api, coffee_order(workspace, owner, vat, business(workspace))))["data"]

    assert "zatca" not in created and list(created)[-1] == "id"
    assert "zatca" not in body(api.get(f"/invoices/{created['id']}"))["data"]
    assert all("zatca" not in row for row in body(api.get("/invoices"))["data"])
    missing = api.get(f"/invoices/{created['id']}/zatca.xml")
    assert missing.status_code == 404
    assert missing.json() == {"success": False, "message": "Invoice not found"}


def test_the_order_names_its_store_and_only_that_store_signs(
    device, workspace, owner, store, other_workspace, vat
):
    api = token_client(owner)
    branch = StoreFactory(workspace=workspace, name="فرع جدة")
    line = {"name": "Coffee", "quantity": 1, "unitPrice": 10, "taxIds": [vat.pk]}

    default = api.post("/orders", {"lineItems": [line]}, format="json")
    named = api.post("/orders", {"storeId": str(branch.pk), "lineItems": [line]}, format="json")
    foreign = api.post(
        "/orders", {"storeId": StoreFactory(workspace=other_workspace).pk, "lineItems": [line]}, format="json"
    )

    assert body(default)["data"]["storeId"] == str(store.pk)  # the workspace's first store
    assert body(named)["data"]["storeId"] == str(branch.pk)
    assert foreign.status_code == 404
    assert foreign.json() == {"success": False, "message": "Store not found."}
    assert Order.objects.count() == 2
    signed = body(invoice(api, Order.objects.get(pk=body(default)["data"]["id"])))["data"]
    unsigned = body(invoice(api, Order.objects.get(pk=body(named)["data"]["id"])))["data"]
    assert signed["zatca"]["kind"] == "simplified" and "zatca" not in unsigned


def test_the_list_reads_every_documents_state_in_one_query(device, workspace, owner, vat):
    api = token_client(owner)
    for client in (business(workspace), None, business(workspace, vat_number="300000000000003")):
        invoice(api, coffee_order(workspace, owner, vat, client))

    with CaptureQueriesContext(connection) as captured:
        rows = body(api.get("/invoices"))["data"]

    # auth 2, then on PostgreSQL the page's answers with their documents 1 (`orders.api.json_rows`), else
    # invoices + creators 1, lines 1, their ZATCA documents 1
    assert len(captured) == (3 if json_sql.available() else 5)
    assert [(row["zatca"]["kind"], row["zatca"]["status"]) for row in rows] == [
        ("standard", "rejected"),
        ("simplified", "pending"),
        ("standard", "cleared"),
    ]
    assert [row["zatca"]["icv"] for row in rows] == [3, 2, 1]


def test_another_workspaces_invoice_xml_is_a_404(device, workspace, owner, vat, other_owner):
    created = body(invoice(token_client(owner), coffee_order(workspace, owner, vat)))["data"]

    response = token_client(other_owner).get(f"/invoices/{created['id']}/zatca.xml")

    assert response.status_code == 404


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_admin_shows_the_invoices_zatca_state_and_xml(
    device, workspace, owner, store, vat, client, language
):
    api = token_client(owner)
    cleared = body(invoice(api, coffee_order(workspace, owner, vat, business(workspace))))["data"]["id"]
    refused_buyer = business(workspace, vat_number="300000000000003")
    rejected = body(invoice(api, coffee_order(workspace, owner, vat, refused_buyer)))["data"]["id"]
    client.force_login(owner)
    client.cookies["django_language"] = language

    pages = {
        pk: client.get(f"/admin/orders/orderinvoice/{pk}/change/").content.decode()
        for pk in (cleared, rejected)
    }

    document = ZatcaDocument.objects.get(source_id=cleared)
    assert f"/admin/invoicing/zatcadocument/{document.pk}/change/" in pages[cleared]
    assert ("Standard" in pages[cleared] and "Cleared" in pages[cleared]) or language == "ar"
    assert "BR-KSA-40" in pages[rejected]  # ZATCA's error, as ZATCA wrote it
    xml_url = f"/admin/invoicing/zatcadocument/{document.pk}/xml/"
    assert xml_url in pages[cleared]
    download = client.get(xml_url)
    assert download.status_code == 200 and download.content == bytes(
        document.xml
    )  # the bytes that were hashed
    order_page = client.get(f"/admin/orders/order/{OrderInvoice.objects.get(pk=cleared).order_id}/change/")
    assert store.name in order_page.content.decode()


def test_the_admin_page_of_an_unsigned_invoice_says_so(workspace, owner, vat, client):
    created = body(invoice(token_client(owner), coffee_order(workspace, owner, vat)))["data"]["id"]
    client.force_login(owner)

    page = client.get(f"/admin/orders/orderinvoice/{created}/change/").content.decode()

    assert "—" in page and not re.search(r"/admin/invoicing/zatcadocument/\d+/", page)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_order_and_api2_invoices_issued_at_once_share_one_chain(device, workspace, owner, store, vat):
    """Real threads on PostgreSQL: order invoices and api2 invoices of one store, simplified and standard, each
    take the next ICV of the store's one chain, without a gap or a fork, each PIH the previous hash."""
    walk_in = ClientFactory(workspace=workspace, name="Walk-in")
    buyer = business(workspace)
    orders = [coffee_order(workspace, owner, vat, buyer if index % 2 else walk_in) for index in range(4)]
    product = ProductFactory(
        workspace=workspace, name="Coffee beans 1 kg", price=Decimal("80"), track_stock=False
    )
    _key, raw_key = api_key_create(workspace=workspace, access=owner_access(workspace), name="Integration")

    def work(index: int):
        if index < len(orders):
            response = token_client(owner).post(
                "/invoices", {"orderId": str(orders[index].pk)}, format="json"
            )
            return "order", response.status_code
        payload = {
            "Invoice": {
                "client_id": (buyer if index % 2 else walk_in).pk,
                "store_id": store.pk,
                "currency_code": "SAR",
                "InvoiceItem": [
                    {"product_id": product.pk, "quantity": 2, "unit_price": "80", "tax1": vat.pk}
                ],
            }
        }
        api2 = APIClient()
        api2.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        return "api2", api2.post("/api2/invoices.json", payload, format="json").status_code

    results = values_of(run_together(8, work))

    assert sorted(results) == [("api2", 202)] * 4 + [("order", 201)] * 4
    chain = list(
        ZatcaDocument.objects.order_by("icv").values_list("icv", "previous_hash", "hash", "source_type")
    )
    assert [icv for icv, *_rest in chain] == list(range(1, 9))
    assert [previous for _i, previous, _h, _s in chain] == [FIRST_PREVIOUS_HASH] + [
        h for _i, _p, h, _s in chain[:-1]
    ]
    assert sorted(source for *_rest, source in chain) == ["api2_invoice"] * 4 + ["order_invoice"] * 4
    assert ZatcaDevice.objects.get().icv == 8
    assert set(ZatcaDocument.objects.filter(kind="standard").values_list("status", flat=True)) == {"cleared"}
