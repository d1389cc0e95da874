"""ZATCA phase 2 on the POS (PRODUCT.md section 8b), end to end on a sandbox-onboarded store: every sale and return
signed at completion into one chain, read back through the API, the XML's figures the API's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cryptography import x509
from lxml import etree

from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH, invoice_hash
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.qr import decode_tlv
from invoicing.zatca.signing import verify
from tests.invoicing.zatca.sellers import ADDRESS
from tests.pos.conftest import stocked_product

pytestmark = pytest.mark.django_db

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


@pytest.fixture
def onboarded(owner_client, workspace, store):
    patched = owner_client.patch(
        f"/v1/workspace/{workspace.pk}",
        {"vatNumber": "310122393500003", "crNumber": "1010010000", "legalName": "شركة القهوة"},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    store.national_address = ADDRESS
    store.save()
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/stores/{store.pk}/zatca/onboard",
        {"otp": "123345", "environment": "sandbox"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return ZatcaDevice.objects.get(store=store)


def sale(cashier_client, invoices_url, customer, product, quantity, payments=None):
    created = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json")
    assert created.status_code == 201, created.content
    invoice = created.json()["invoice"]
    url = f"{invoices_url}/{invoice['id']}"
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": quantity}, format="json")
    response = cashier_client.post(
        f"{url}/complete", {"payments": payments} if payments else {}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["invoice"]


def _amount(root, path: str) -> Decimal:
    return Decimal(root.xpath(path, namespaces=NS)[0].text)


def test_three_sales_and_a_return_chain_on_a_sandbox_store(
    onboarded, owner_client, cashier_client, invoices_url, customer, workspace, store, vat, session
):
    # Given: a product with 15% VAT; three sales (one with a document discount) and a return of one of them
    coffee = stocked_product(workspace, store, price="11.50", taxes=[vat], name="قهوة")
    sales = [sale(cashier_client, invoices_url, customer, coffee, quantity) for quantity in (1, 3)]
    third = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    url = f"{invoices_url}/{third['id']}"
    cashier_client.post(f"{url}/items", {"productId": coffee.pk, "quantity": 4}, format="json")
    cashier_client.post(f"{url}/discounts", {"type": "percent", "value": 10}, format="json")
    sales.append(
        cashier_client.post(f"{url}/complete", {"payments": [{"method": "card", "amount": "47.61"}]}).json()[
            "invoice"
        ]
    )
    returned = owner_client.post(
        f"{url}/returns", {"items": [{"itemId": sales[2]["items"][0]["id"], "quantity": 1}], "reason": "Cold"}
    )
    assert returned.status_code == 201, returned.content
    credit_note = returned.json()["return"]

    # Then: four documents in one chain, ICV 1..4, each PIH the previous hash
    certificate = x509.load_pem_x509_certificate(ZatcaDevice.objects.get().certificate.encode())
    documents = [owner_client.get(f"{invoices_url}/{s['id']}/zatca").json()["zatca"] for s in sales] + [
        owner_client.get(f"/v1/workspace/{workspace.pk}/pos/returns/{credit_note['id']}/zatca").json()[
            "zatca"
        ]
    ]
    assert [d["icv"] for d in documents] == [1, 2, 3, 4]
    assert [d["previousHash"] for d in documents] == [FIRST_PREVIOUS_HASH] + [
        d["hash"] for d in documents[:-1]
    ]
    assert {d["status"] for d in documents} == {"pending"}
    xml_urls = [f"{invoices_url}/{s['id']}/zatca.xml" for s in sales] + [
        f"/v1/workspace/{workspace.pk}/pos/returns/{credit_note['id']}/zatca.xml"
    ]
    for document, xml_url, figures in zip(documents, xml_urls, [*sales, credit_note], strict=True):
        response = owner_client.get(xml_url)
        assert response["Content-Type"] == "application/xml"
        xml = response.content
        # The test recomputes the hash from the XML and verifies the signature with the certificate's key.
        assert invoice_hash(xml) == document["hash"]
        assert verify(xml, certificate)
        root = etree.fromstring(xml)
        assert root.xpath("cbc:ID", namespaces=NS)[0].text == figures["publicId"]
        assert root.xpath("cbc:UUID", namespaces=NS)[0].text == document["uuid"]
        # The XML's totals are the API's.
        assert _amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal(str(figures["total"]))
        assert _amount(root, "cac:TaxTotal/cbc:TaxAmount") == Decimal(str(figures["taxTotal"]))
        # The QR printed is the XML's 9-tag QR.
        tags = decode_tlv(document["qr"])
        assert sorted(tags) == list(range(1, 10))
        assert tags[6].decode() == document["hash"]
    # The credit note: 381, its billing reference the sale's number, its reason the return's.
    root = etree.fromstring(owner_client.get(xml_urls[3]).content)
    assert root.xpath("cbc:InvoiceTypeCode", namespaces=NS)[0].text == "381"
    assert root.xpath("cac:BillingReference//cbc:ID", namespaces=NS)[0].text == sales[2]["publicId"]
    assert root.xpath("cac:PaymentMeans/cbc:InstructionNote", namespaces=NS)[0].text == "Cold"
    # The receipt prints the signed QR.
    receipt = owner_client.get(f"{invoices_url}/{sales[0]['id']}/receipt").content.decode()
    assert f'data-zatca="{documents[0]["qr"]}"' in receipt
    assert ZatcaDevice.objects.get().icv == 4


def test_a_store_without_a_device_signs_nothing(
    cashier_client, invoices_url, customer, coffee, owner_client, session
):
    sold = sale(cashier_client, invoices_url, customer, coffee, 1)

    assert owner_client.get(f"{invoices_url}/{sold['id']}/zatca").status_code == 404
    assert owner_client.get(f"{invoices_url}/{sold['id']}/zatca.xml").status_code == 404
    assert not ZatcaDocument.objects.exists()


def test_the_device_state_never_shows_a_secret(onboarded, owner_client, cashier_client, workspace, store):
    url = f"/v1/workspace/{workspace.pk}/stores/{store.pk}/zatca"

    body = owner_client.get(url).json()["zatca"]

    assert body["status"] == "active" and body["environment"] == "sandbox" and body["invoiceType"] == "0100"
    assert body["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    text = owner_client.get(url).content.decode()
    from invoicing.zatca.chain import decrypt

    for secret in (
        decrypt(onboarded.private_key),
        decrypt(onboarded.production_secret),
        onboarded.production_token,
    ):
        assert secret not in text
    assert cashier_client.get(url).status_code == 403  # owner only


def test_completing_in_a_signing_store_costs_three_queries_more(
    onboarded,
    cashier_client,
    invoices_url,
    customer,
    workspace,
    store,
    vat,
    session,
    django_assert_num_queries,
):
    coffee = stocked_product(workspace, store, price="10", taxes=[vat])
    sale(cashier_client, invoices_url, customer, coffee, 1)  # the counters and the first document exist
    draft = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"]
    url = f"{invoices_url}/{draft['id']}"
    cashier_client.post(f"{url}/items", {"productId": coffee.pk, "quantity": 1}, format="json")
    # the budget of tests/pos/test_query_counts.py (10), and the device locked, the document, the chain moved on;
    # plus the test transaction's savepoint and its release (not counted there: each request is its own transaction
    # there).
    with django_assert_num_queries(10 + 3 + 2):
        assert cashier_client.post(f"{url}/complete", {}, format="json").status_code == 200


def test_a_signed_sale_is_refunded_by_a_return_not_voided(
    onboarded, owner_client, cashier_client, invoices_url, customer, workspace, store, vat, session
):
    coffee = stocked_product(workspace, store, price="10", taxes=[vat])
    sold = sale(cashier_client, invoices_url, customer, coffee, 2)

    voided = owner_client.post(f"{invoices_url}/{sold['id']}/cancel", {"reason": "mistake"}, format="json")

    assert voided.status_code == 422
    assert voided.json()["code"] == "invoice_signed"
    assert owner_client.get(f"{invoices_url}/{sold['id']}").json()["invoice"]["status"] == "completed"
    refunded = owner_client.post(f"{invoices_url}/{sold['id']}/returns", {"reason": "mistake"}, format="json")
    assert refunded.status_code == 201
    assert refunded.json()["invoice"]["returnedTotal"] == sold["total"]
