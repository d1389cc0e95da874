"""Standard (B2B) invoices cleared by ZATCA (PRODUCT.md section 8c), end to end through api2 on a sandbox store
onboarded for both kinds (`1100`): cleared, rejected, retried by the worker, refused for an incomplete buyer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cryptography import x509
from django.test import Client, TestCase
from lxml import etree
from rest_framework.test import APIClient

from invoicing.models import Tax
from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH, invoice_hash
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.reporting import run_once
from invoicing.zatca.signing import verify
from tests.factories import ClientFactory
from tests.invoicing.api2_helpers import key_client
from tests.invoicing.factories import ProductFactory
from tests.invoicing.helpers import body
from tests.invoicing.zatca.sellers import sandbox_device

pytestmark = pytest.mark.django_db

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
BUYER_ADDRESS = {
    "street": "Prince Sultan",
    "buildingNumber": "2322",
    "district": "Al-Murabba",
    "city": "Riyadh",
    "postalCode": "23333",
    "countryCode": "SA",
}


@pytest.fixture
def device(workspace, store):
    return sandbox_device(workspace, store)


@pytest.fixture
def product(workspace):
    vat = Tax.objects.create(workspace=workspace, name="VAT", rate=Decimal(15))
    product = ProductFactory(
        workspace=workspace, name="Coffee beans 1 kg", price=Decimal("80.00"), track_stock=False
    )
    product.taxes.set([vat])
    product.vat = vat
    return product


def business(workspace, *, vat_number="399999999900003", address=BUYER_ADDRESS, name="مطعم النخيل"):
    return ClientFactory(
        workspace=workspace, name=name, tax_number=vat_number, address=address, cr_number="1010101010"
    )


def issue(api, client, store, product, **extra):
    payload = {
        "Invoice": {
            "client_id": client.pk,
            "store_id": store.pk,
            "currency_code": "SAR",
            "discount": 10,
            "InvoiceItem": [
                {"product_id": product.pk, "quantity": 3, "unit_price": "80.00", "tax1": product.vat.pk},
            ],
            **extra,
        }
    }
    # The request's after-commit work (the clearance) runs as it does once its transaction commits (here, once the
    # answer is written: the answer says `pending`, as a keyed request's does; `zatca()` reads the state after).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post("/api2/invoices.json", payload, format="json")


def zatca(api, invoice_id):
    return body(api.get(f"/api2/invoices/{invoice_id}.json"))["data"]["Invoice"]["zatca"]


def test_a_standard_invoice_is_cleared_with_its_buyer_and_supply_date(
    device, workspace, store, product, invoice_schema
):
    api = key_client(workspace)

    response = issue(api, business(workspace), store, product)

    assert response.status_code == 202, response.content
    answer = body(response)
    invoice = body(api.get(f"/api2/invoices/{answer['id']}.json"))["data"]["Invoice"]
    assert invoice["zatca"]["kind"] == "standard" and invoice["zatca"]["status"] == "cleared"
    assert invoice["zatca"]["icv"] == 1 and invoice["zatca"]["hash"] == answer["zatca"]["hash"]
    xml = api.get(f"/api2/invoices/{answer['id']}/zatca.xml").content
    root = etree.fromstring(xml)
    invoice_schema.assertValid(etree.ElementTree(root))
    assert invoice_hash(xml) == invoice["zatca"]["hash"]
    certificate = x509.load_pem_x509_certificate(ZatcaDevice.objects.get().certificate.encode())
    assert verify(xml, certificate)
    assert root.xpath("cbc:InvoiceTypeCode/@name", namespaces=NS) == ["0100000"]
    assert root.xpath("cbc:ID", namespaces=NS)[0].text == invoice["no"]
    buyer = root.xpath("cac:AccountingCustomerParty/cac:Party", namespaces=NS)[0]
    assert buyer.xpath("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS)[0].text == "399999999900003"
    assert buyer.xpath("cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS)[0].text == "مطعم النخيل"
    assert buyer.xpath("cac:PostalAddress/cbc:CityName", namespaces=NS)[0].text == "Riyadh"
    assert root.xpath("cac:Delivery/cbc:ActualDeliveryDate", namespaces=NS)[0].text == invoice["date"]
    # The XML's figures are the API's: 3 × 80 = 240, less 10% = 216, VAT 32.40, total 248.40.
    assert (
        Decimal(root.xpath("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)[0].text)
        == Decimal(str(invoice["summary_total"]))
        == Decimal("248.40")
    )
    assert Decimal(root.xpath("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)[0].text) == Decimal("32.40")


def test_simplified_and_standard_share_one_chain(device, workspace, store, product):
    api = key_client(workspace)
    walk_in = ClientFactory(workspace=workspace, name="Walk-in")

    ids = [
        body(issue(api, client, store, product))["id"] for client in (walk_in, business(workspace), walk_in)
    ]

    states = [zatca(api, invoice_id) for invoice_id in ids]
    assert [state["kind"] for state in states] == ["simplified", "standard", "simplified"]
    assert [state["status"] for state in states] == ["pending", "cleared", "pending"]  # the worker reports
    chain = list(ZatcaDocument.objects.order_by("icv").values_list("icv", "previous_hash", "hash"))
    assert [icv for icv, _p, _h in chain] == [1, 2, 3]
    assert [p for _i, p, _h in chain] == [FIRST_PREVIOUS_HASH, chain[0][2], chain[1][2]]
    assert run_once()["reported"] == 2


def test_a_rejected_invoice_keeps_its_number_and_its_place(device, workspace, store, product):
    api = key_client(workspace)

    rejected_id = body(issue(api, business(workspace, vat_number="300000000000003"), store, product))["id"]
    after_id = body(issue(api, business(workspace, name="Other"), store, product))["id"]

    rejected, after = zatca(api, rejected_id), zatca(api, after_id)
    assert rejected["status"] == "rejected"
    assert rejected["errors"][0]["message"].startswith("BR-KSA-40")
    assert after["status"] == "cleared" and after["icv"] == rejected["icv"] + 1
    assert body(api.get(f"/api2/invoices/{rejected_id}.json"))["data"]["Invoice"]["no"] == "000001"
    assert run_once() == {}  # nothing is sent again


def test_a_failed_clearance_is_pending_and_the_worker_clears_it_once(device, workspace, store, product):
    api = key_client(workspace)

    answer = body(issue(api, business(workspace), store, product, po_number="RETRY"))

    assert zatca(api, answer["id"])["status"] == "pending"
    document = ZatcaDocument.objects.get()
    assert document.attempts == 1 and "503" in document.last_error
    document.next_attempt_at = document.next_attempt_at.replace(year=2000)  # its backoff is over
    document.save()
    assert run_once() == {"cleared": 1}
    assert run_once() == {}
    assert (
        body(api.get(f"/api2/invoices/{answer['id']}.json"))["data"]["Invoice"]["zatca"]["status"]
        == "cleared"
    )


def test_an_incomplete_buyer_is_refused_before_numbering(device, workspace, store, product):
    api = key_client(workspace)
    partial = {**BUYER_ADDRESS, "city": "", "postalCode": "123"}

    refused = issue(api, business(workspace, address=partial), store, product)

    assert refused.status_code == 400
    errors = body(refused)["validation_errors"]
    assert set(errors) == {"client.address.city", "client.address.postalCode"}
    assert not ZatcaDocument.objects.exists()
    next_one = body(issue(api, business(workspace, name="Complete"), store, product))
    assert body(api.get(f"/api2/invoices/{next_one['id']}.json"))["data"]["Invoice"]["no"] == "000001"


def test_an_invoice_of_a_store_that_signs_nothing_reads_as_seed_004(workspace, store, product):
    api = key_client(workspace)

    answer = body(issue(api, business(workspace), store, product))

    assert set(answer) == {"code", "result", "id"}
    assert "zatca" not in body(api.get(f"/api2/invoices/{answer['id']}.json"))["data"]["Invoice"]
    assert api.get(f"/api2/invoices/{answer['id']}/zatca.xml").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_answer_of_an_unkeyed_request_says_cleared(device, workspace, store, product):
    """Without an `Idempotency-Key` the issuing transaction ends with the service: the clearance runs before the
    answer is written, which says `cleared`."""
    api = key_client(workspace)
    payload = {
        "Invoice": {
            "client_id": business(workspace).pk,
            "store_id": store.pk,
            "currency_code": "SAR",
            "InvoiceItem": [
                {"product_id": product.pk, "quantity": 1, "unit_price": "10", "tax1": product.vat.pk}
            ],
        }
    }

    answer = body(api.post("/api2/invoices.json", payload, format="json"))

    assert answer["zatca"]["status"] == "cleared"
    assert ZatcaDocument.objects.get().cleared_xml is not None


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_invoices_admin_page_shows_its_clearance(device, workspace, store, product, owner, language):
    api = key_client(workspace)
    cleared = body(issue(api, business(workspace), store, product))["id"]
    rejected = body(issue(api, business(workspace, vat_number="300000000000003"), store, product))["id"]
    admin = Client(HTTP_ACCEPT_LANGUAGE=language)
    admin.force_login(owner)
    admin.cookies["django_language"] = language

    pages = {
        pk: admin.get(f"/admin/invoicing/invoice/{pk}/change/").content.decode() for pk in (cleared, rejected)
    }

    kind, cleared_word, rejected_word = {
        "ar": ("قياسية", "تم الاعتماد", "مرفوض"),
        "en": ("Standard", "Cleared", "Rejected"),
    }[language]
    assert "/admin/invoicing/zatcadocument/" in pages[cleared]
    assert f"{kind} — {cleared_word}" in pages[cleared]
    assert f"{kind} — {rejected_word}" in pages[rejected]
    assert "BR-KSA-40" in pages[rejected]  # ZATCA's error, as ZATCA wrote it


def test_another_workspaces_xml_is_a_404(device, workspace, store, product, other_workspace):
    api = key_client(workspace)
    invoice_id = body(issue(api, business(workspace), store, product))["id"]

    foreign = key_client(other_workspace)

    assert api.get(f"/api2/invoices/{invoice_id}/zatca.xml").status_code == 200
    response = foreign.get(f"/api2/invoices/{invoice_id}/zatca.xml")
    assert response.status_code == 404
    assert body(response) == {"code": 404, "result": "failed", "message": "Invoice not found."}
    assert APIClient().get(f"/api2/invoices/{invoice_id}/zatca.xml").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_clearance_that_breaks_leaves_the_invoice_issued_and_pending(
    device, workspace, store, product, monkeypatch
):
    """What happens after the commit never becomes the request's answer: the invoice is issued, the worker clears
    it later."""
    import invoicing.zatca.issuing as issuing

    def broken(document_id):
        raise RuntimeError("the network is down")

    monkeypatch.setattr(issuing, "settle_now", broken)
    api = key_client(workspace)
    payload = {
        "Invoice": {
            "client_id": business(workspace).pk,
            "store_id": store.pk,
            "currency_code": "SAR",
            "InvoiceItem": [
                {"product_id": product.pk, "quantity": 1, "unit_price": "10", "tax1": product.vat.pk}
            ],
        }
    }

    response = api.post("/api2/invoices.json", payload, format="json")

    assert response.status_code == 202
    assert body(response)["zatca"]["status"] == "pending"
    assert run_once() == {"cleared": 1}
