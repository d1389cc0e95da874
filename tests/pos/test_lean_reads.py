"""The list and the single GET are built from plain rows (`pos.selectors.invoice_rows`), not model instances:
their JSON is byte for byte what the model path (`invoice_list` + `invoice_output`) writes on the same data, and
the list reads a fixed number of queries whatever its length."""

from decimal import Decimal

import pytest

from pos import selectors
from pos.api.serializers import actor, invoice_output
from pos.models import OrderStatus
from tests.conftest import client_for
from tests.pos.conftest import owner_access, stocked_product
from workspaces import json_sql
from workspaces.api.renderers import dumps
from workspaces.services.workspace import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_day(cashier_client, owner, invoices_url, new_invoice, workspace, store, customer, vat):
    """Drafts, completed (cash and card, with change), cancelled and voided invoices; client, percent and fixed
    discounts; an order status; one invoice made with an API key."""
    OrderStatus.objects.create(
        workspace=workspace, label_ar="قيد التحضير", label_en="Preparing", is_default=True
    )
    customer.pos_discount_type, customer.pos_discount_value = "percent", Decimal("10")
    customer.save()
    product = stocked_product(workspace, store, price="12.345", taxes=[vat], name="قهوة", sku="C-1")
    plain = stocked_product(workspace, store, price="7")
    for index in range(6):
        url = f"{invoices_url}/{new_invoice()['id']}"
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": "1.5"}, format="json")
        cashier_client.post(
            f"{url}/items", {"productId": plain.pk, "quantity": 2, "note": "بدون سكر"}, format="json"
        )
        if index % 2:
            cashier_client.post(f"{url}/discounts", {"type": "fixed", "value": "1.25"}, format="json")
        if index in (1, 2):
            payments = [{"method": "card", "amount": "10"}, {"method": "cash", "amount": "100"}]
            assert (
                cashier_client.post(f"{url}/complete", {"payments": payments}, format="json").status_code
                == 200
            )
        if index == 3:
            cashier_client.post(f"{url}/cancel", {"reason": "خطأ"}, format="json")
        if index == 2:
            client_for(owner).post(f"{url}/cancel", {"reason": "void"}, format="json")
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace, owner), name="Till 2")
    by_key = client_for(api_key=raw).post(invoices_url, {"clientId": customer.pk}, format="json")
    assert by_key.status_code == 201


def _before(invoice):
    """The answer as the model path wrote it before the lists read plain rows (the previous `invoice_output`,
    kept verbatim as the reference)."""
    status = invoice.order_status
    return {
        "id": str(invoice.pk),
        "workspaceId": str(invoice.workspace_id),
        "storeId": str(invoice.store_id),
        "clientId": str(invoice.client_id),
        "posBusinessSessionId": str(invoice.session_id),
        "businessDate": invoice.business_date,
        "publicId": invoice.public_id,
        "status": invoice.status,
        "orderStatusId": None if invoice.order_status_id is None else str(invoice.order_status_id),
        "orderStatusLabelAr": status.label_ar if status else None,
        "orderStatusLabelEn": status.label_en if status else None,
        "items": [
            {
                "id": str(item.pk),
                "productId": str(item.product_id),
                "name": item.name,
                "sku": item.sku,
                "quantity": item.quantity,
                "unitPrice": item.unit_price,
                "subtotal": item.subtotal,
                "discountAmount": item.discount_amount,
                "taxAmount": item.tax_amount,
                "total": item.total,
                "note": item.note,
            }
            for item in invoice.items.all()
        ],
        "subtotal": invoice.subtotal,
        "discounts": [
            {
                "id": str(d.pk),
                "source": d.source,
                "type": d.type,
                "value": d.value,
                "amount": d.amount,
                "reason": d.reason,
            }
            for d in invoice.discounts.all()
        ],
        "discountTotal": invoice.discount_total,
        "taxTotal": invoice.tax_total,
        "total": invoice.total,
        "payments": [
            {"id": str(p.pk), "method": p.method, "amount": p.amount} for p in invoice.payments.all()
        ],
        "changeDue": invoice.change_due,
        "returnedTotal": invoice.returned_total,
        "stockDeductedAt": invoice.stock_deducted_at,
        "completedAt": invoice.completed_at,
        "cancelledAt": invoice.cancelled_at,
        "createdBy": actor(invoice.created_by_type, invoice.created_by, invoice.created_by_api_key),
        "createdAt": invoice.created_at,
        "updatedAt": invoice.updated_at,
        "offline": invoice.offline,
        "clientRef": str(invoice.client_ref) if invoice.client_ref else None,
        "syncedAt": invoice.synced_at,
        "offlineTotal": invoice.offline_total,
        "totalMismatch": invoice.total_mismatch,
        "stockShort": invoice.stock_short,
    }


def _model_path_page(workspace, limit):
    invoices = list(selectors.invoice_list(workspace=workspace).order_by("-pk")[: limit + 1])
    rows = [_before(invoice) for invoice in invoices[:limit]]
    assert rows == [invoice_output(invoice) for invoice in invoices[:limit]]  # the writes' answer too
    return rows


def test_the_list_is_byte_for_byte_the_model_paths(cashier_client, invoices_url, workspace, busy_day):
    response = cashier_client.get(invoices_url)
    assert response.status_code == 200
    expected = dumps({"invoices": _model_path_page(workspace, 100), "nextCursor": None}).encode()
    assert response.content == expected
    assert len(response.json()["invoices"]) == 7


def test_a_page_with_a_cursor_is_the_same_too(cashier_client, invoices_url, workspace, busy_day):
    first = cashier_client.get(f"{invoices_url}?limit=3").json()
    second = cashier_client.get(f"{invoices_url}?limit=3&cursor={first['nextCursor']}")
    model_rows = _model_path_page(workspace, 100)
    assert second.content.startswith(dumps({"invoices": model_rows[3:6]})[:-1].encode())


def test_one_invoice_is_byte_for_byte_the_model_paths(cashier_client, invoices_url, workspace, busy_day):
    for invoice in selectors.invoice_list(workspace=workspace):
        response = cashier_client.get(f"{invoices_url}/{invoice.pk}")
        assert response.content == dumps({"invoice": _before(invoice)}).encode()


def test_a_writes_answer_is_the_one_a_get_gives(cashier_client, invoices_url, new_invoice, workspace, store):
    """The writes answer from the rows in hand: what they say is what a read says next."""
    url = f"{invoices_url}/{new_invoice()['id']}"
    product = stocked_product(workspace, store, price="3.5")
    added = cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 2}, format="json")
    assert added.content == cashier_client.get(url).content
    completed = cashier_client.post(f"{url}/complete", {}, format="json")
    assert completed.status_code == 200
    assert completed.content == cashier_client.get(url).content


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_reads_a_fixed_number_of_queries(
    cashier_client, invoices_url, new_invoice, workspace, store, django_assert_num_queries, count
):
    product = stocked_product(workspace, store)
    for _ in range(count):
        url = f"{invoices_url}/{new_invoice()['id']}"
        cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
        cashier_client.post(f"{url}/complete", {}, format="json")
    # auth 1 (the user with their membership), then on PostgreSQL the page with each invoice's answer written by
    # the database (`pos.api.json_rows`); elsewhere the page's rows (joined labels and creators), items,
    # discounts, payments.
    with django_assert_num_queries(2 if json_sql.available() else 5):
        assert len(cashier_client.get(invoices_url).json()["invoices"]) == count


def test_one_invoice_reads_only_the_tables_it_has_lines_in(
    cashier_client, invoices_url, new_invoice, workspace, store, django_assert_num_queries
):
    url = f"{invoices_url}/{new_invoice()['id']}"
    product = stocked_product(workspace, store)
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 1}, format="json")
    # auth 1 (the user with their membership), the invoice with its items (one join, saying whether it has
    # discounts, payments).
    with django_assert_num_queries(2):
        assert cashier_client.get(url).json()["invoice"]["payments"] == []
    cashier_client.post(f"{url}/discounts", {"type": "fixed", "value": 1}, format="json")
    cashier_client.post(f"{url}/complete", {}, format="json")
    with django_assert_num_queries(4):  # and now its discounts and payments
        invoice = cashier_client.get(url).json()["invoice"]
    assert len(invoice["discounts"]) == len(invoice["payments"]) == 1
