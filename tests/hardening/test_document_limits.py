"""A document holds at most 500 lines and 20 payments: the 501st line or the 21st payment is a 422 in its
family's envelope, and nothing of the refused request is written (PRODUCT.md section 2, "Limits")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.limits import MAX_LINES, MAX_PAYMENTS
from invoicing.models import Invoice
from orders.models import Order
from pos.models import PosInvoice, PosInvoiceItem, PosPayment
from suppliers.models import Supplier, SupplierInvoice, SupplierPayment
from tests.factories import ClientFactory
from tests.invoicing.api2_helpers import item, key_client, post_invoice
from tests.orders.conftest import token_client
from tests.pos.conftest import stocked_product


@pytest.fixture
def pos_draft(owner_client, workspace, store):
    opened = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions", {"openingCash": 0}, format="json"
    )
    assert opened.status_code == 201
    product = stocked_product(workspace, store, quantity="100000", price="1")
    customer = ClientFactory(workspace=workspace)
    url = f"/v1/workspace/{workspace.pk}/pos/invoices"
    created = owner_client.post(url, {"clientId": str(customer.pk), "storeId": str(store.pk)}, format="json")
    assert created.status_code == 201, created.content
    invoice = PosInvoice.objects.get(pk=created.json()["invoice"]["id"])
    return invoice, product, f"{url}/{invoice.pk}"


def _fill(invoice: PosInvoice, product, count: int) -> None:
    PosInvoiceItem.objects.bulk_create(
        PosInvoiceItem(
            workspace_id=invoice.workspace_id,
            invoice=invoice,
            product=product,
            name=product.name,
            quantity=1,
            unit_price=1,
        )
        for _ in range(count)
    )


def test_the_500th_pos_line_is_added_and_the_501st_refused(owner_client, pos_draft):
    invoice, product, url = pos_draft
    _fill(invoice, product, MAX_LINES - 1)
    line = {"productId": str(product.pk), "quantity": 1}
    assert owner_client.post(f"{url}/items", line, format="json").status_code == 201
    response = owner_client.post(f"{url}/items", line, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "too_many_lines"
    assert body["details"] == {"max": 500, "lines": 501}
    assert body["message"] == "A document holds at most 500 lines."
    assert invoice.items.count() == MAX_LINES
    invoice.refresh_from_db()
    assert invoice.total == 500


def test_a_pos_sale_paid_in_21_parts_is_refused_and_stays_a_draft(owner_client, pos_draft):
    invoice, product, url = pos_draft
    assert owner_client.post(
        f"{url}/items", {"productId": product.pk, "quantity": 20}, format="json"
    ).status_code
    payments = [{"method": "cash", "amount": 1}] * (MAX_PAYMENTS + 1)
    response = owner_client.post(f"{url}/complete", {"payments": payments}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_payments"
    invoice.refresh_from_db()
    assert invoice.status == PosInvoice.Status.DRAFT
    assert not PosPayment.objects.exists()
    response = owner_client.post(f"{url}/complete", {"payments": payments[1:]}, format="json")
    assert response.status_code == 200


def test_an_order_of_501_lines_is_refused_in_the_orders_envelope(owner):
    api = token_client(owner)
    lines = [{"name": "Tea", "quantity": 1, "unitPrice": 1}] * (MAX_LINES + 1)
    response = api.post("/orders", {"lineItems": lines}, format="json")
    assert response.status_code == 422
    assert response.json() == {"success": False, "message": "A document holds at most 500 lines."}
    assert not Order.objects.exists()
    assert api.post("/orders", {"lineItems": lines[1:]}, format="json").status_code == 201


def test_an_api2_invoice_of_501_lines_or_21_payments_is_refused(workspace, store):
    customer = ClientFactory(workspace=workspace)
    product = stocked_product(workspace, store, quantity="100000", price="1")
    api = key_client(workspace)

    def payload(lines: int, payments: int) -> dict:
        return {
            "Invoice": {"client_id": customer.pk, "store_id": store.pk, "date": "2025-03-19", "draft": 0},
            "InvoiceItem": [item(product.pk, 1, 1)] * lines,
            "Payment": [{"payment_method": "cash", "amount": "0.01"}] * payments,
        }

    response = post_invoice(api, payload(MAX_LINES + 1, 0))
    assert response.status_code == 422
    assert response.json()["result"] == "failed"
    assert response.json()["message"] == "A document holds at most 500 lines."
    response = post_invoice(api, payload(1, MAX_PAYMENTS + 1))
    assert response.status_code == 422
    assert response.json()["message"] == "A document holds at most 20 payments."
    assert not Invoice.objects.exists()
    assert post_invoice(api, payload(MAX_LINES, MAX_PAYMENTS)).status_code == 202


def test_the_21st_supplier_payment_is_refused_and_the_balance_unchanged(owner_client, workspace):
    supplier = Supplier.objects.create(workspace=workspace, name="Supplier")
    base = f"/v1/workspace/{workspace.pk}/suppliers/{supplier.pk}/invoices"
    created = owner_client.post(
        base, {"invoiceNumber": "INV-1", "totalAmount": 100, "issueDate": "2024-01-15"}, format="json"
    )
    assert created.status_code == 201
    invoice_id = created.json()["invoice"]["id"]
    for _ in range(MAX_PAYMENTS):
        added = owner_client.post(f"{base}/{invoice_id}/payments", {"amount": 1}, format="json")
        assert added.status_code == 201
    response = owner_client.post(f"{base}/{invoice_id}/payments", {"amount": 1}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_payments"
    invoice = SupplierInvoice.objects.get(pk=invoice_id)
    assert (invoice.paid_amount, invoice.remaining_amount) == (Decimal(20), Decimal(80))
    assert SupplierPayment.objects.count() == MAX_PAYMENTS
