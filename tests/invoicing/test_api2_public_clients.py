"""The public clients of the API that seed 004 copies, replayed as they send their requests (PRODUCT.md section 8):
paths without `.json`, `Content-Type: application/json`, the key in an `APIKEY` header or as `Authorization: Bearer`,
their body shapes, and the fields they read back.

- The vendor's WooCommerce plugin (github.com/daftra/woocommerce-plugin, `src/Admin/orders/create_order.php`):
  `POST {base}/api2/invoices` with `APIKEY`, `Invoice` + `InvoiceItem` + `Payment` + `InvoiceCustomField` at the top
  level, every WooCommerce amount a string, many fields this API does not know (ignored), `tax1` the `(int)` of a
  missing tax (0) on an untaxed order, and `Payment.date` the order's `date_created` with the `T` replaced by a space;
  it reads `id` from the answer.
- A PHP library: seed 004's body (items inside `Invoice`) with `APIKEY`, then `GET /api2/invoices/:id` and
  `GET /api2/invoices?page=&limit=`, reading `Invoice.id`, `no`, `summary_total`, `summary_unpaid`.
- A Python integration (`requests`, `json=`): `Authorization: Bearer`, asks `?search=<order id>` before invoicing an
  order, sends `InvoiceItem` beside `Invoice` and `Payment` inside it with an ISO date-time, reads
  `InvoiceItem[].product_id`.
"""

import json
import re
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from invoicing.models import Invoice, InvoicePayment
from tests.factories import ClientFactory
from tests.invoicing.api2_helpers import body, key_client
from tests.invoicing.factories import ProductFactory, StockLevelFactory, TaxFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(workspace, store):
    vat = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"))
    hoodie = ProductFactory(workspace=workspace, name="Hoodie", price=Decimal("100"))
    cap = ProductFactory(workspace=workspace, name="Cap", price=Decimal("20"))
    for product in (hoodie, cap):
        StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("50"))
    return {
        "client": ClientFactory(workspace=workspace, name="Web shop"),
        "vat": vat,
        "hoodie": hoodie,
        "cap": cap,
    }


def _send(api, method: str, path: str, payload=None, **headers):
    """As the clients send it: the JSON text with `Content-Type: application/json` and `Accept: application/json`."""
    data = json.dumps(payload) if payload is not None else None
    extra = {"content_type": "application/json"} if payload is not None else {}
    return api.generic(method, path, data or "", HTTP_ACCEPT="application/json", **extra, **headers)


# --- The WooCommerce plugin ----------------------------------------------------------------------------------


def _plugin_order(shop, store, *, tax_id, unit_price, total, date_created, status="completed") -> dict:
    """`preparePayload()` of the plugin for one WooCommerce order of one line."""
    completed = status == "completed"
    return {
        "Invoice": {
            "payment_status": 2 if completed else 0,
            "draft": 0,
            "site_id": 1,
            "staff_id": 0,
            "store_id": store.pk,
            "type": 0,
            "is_offline": 1,
            "issued": 0,
            "deposit": 0,
            "deposit_type": 1,
            "due_after": 0,
            "date_format": 0,
            "language_id": "ar",
            "client_id": shop["client"].pk,
            "currency_code": "SAR",
            "client_business_name": "Web shop",
            "client_country_code": "SA",
            "date": "2026-12-02",
            "shipping_amount": "0",
            "shipping_option_id": None,
            "shipping_tax_id": tax_id,
            "issue_date": "2026-12-02",
            "summary_subtotal": total,
            "summary_discount": "0.00",
            "summary_total": total,
            "summary_paid": total if completed else 0,
            "summary_unpaid": 0 if completed else total,
            "created": date_created,
            "modified": date_created,
            "required_terms_file": 0,
            "invoice_layout_id": 0,
            "branch_id": tax_id,
            "group_price_id": 0,
        },
        "InvoiceItem": [
            {
                "item": "Hoodie",
                "description": "Hoodie IS on woocommerce with ID 77",
                "unit_price": unit_price,
                "quantity": 1,
                "tax1": tax_id,
                "summary_tax1": 15.0 if tax_id else 0.0,
                "product_id": shop["hoodie"].pk,
            }
        ],
        "Payment": [
            {
                "payment_method": "Cash on delivery",
                "status": 1 if completed else 2,
                "amount": total,
                "transaction_id": "",
                "treasury_id": "1",
                "staff_id": "1",
                "date": date_created,
            }
        ],
        "InvoiceCustomField": [{"label": "WooCommerce_id", "value": 1042}],
    }


def test_the_woocommerce_plugin_sends_a_completed_order(workspace, store, shop):
    api = key_client(workspace, header="apikey")
    order = _plugin_order(
        shop,
        store,
        tax_id=shop["vat"].pk,
        unit_price="100.00",
        total="115.00",
        date_created="2026-12-02 10:15:00",
    )

    response = _send(api, "POST", "/api2/invoices", order)

    # The plugin reads `json_decode($body, true)['id']`.
    assert response.status_code == 202, response.content
    invoice = Invoice.objects.get()
    assert body(response) == {"code": 202, "result": "successful", "id": invoice.pk}
    read = body(_send(api, "GET", f"/api2/invoices/{invoice.pk}"))
    assert read["data"]["Invoice"] | {"id": None} == {
        "id": None,
        "no": "000001",
        "client_id": shop["client"].pk,
        "store_id": store.pk,
        "currency_code": "SAR",
        "date": "2026-12-02",
        "draft": 0,
        "discount": 0,
        "discount_amount": 0,
        "notes": None,
        "po_number": None,
        "is_offline": 1,
        "summary_subtotal": 100,
        "summary_discount": 0,
        "summary_tax": 15,
        "summary_total": 115,
        "summary_paid": 115,
        "summary_unpaid": 0,
    }
    assert [(item["product_id"], item["tax1"], item["total"]) for item in read["data"]["InvoiceItem"]] == [
        (shop["hoodie"].pk, shop["vat"].pk, 100)
    ]
    # `2026-12-02 10:15:00` in the workspace's time zone: the payment is dated that day (the model keeps a date).
    payment = InvoicePayment.objects.get()
    assert read["data"]["Payment"] == [
        {"id": payment.pk, "payment_method": "Cash on delivery", "amount": 115, "date": "2026-12-02"}
    ]


def test_the_woocommerce_plugin_sends_an_untaxed_order_with_tax1_zero(workspace, store, shop):
    # `(int) handleTaxes($order)` is 0 when the order has no tax line: no tax, not an unknown tax.
    api = key_client(workspace, header="apikey")
    order = _plugin_order(
        shop, store, tax_id=0, unit_price="100.00", total="100.00", date_created="2026-12-02 23:59:59",
        status="pending",
    )  # fmt: skip

    response = _send(api, "POST", "/api2/invoices", order)

    assert response.status_code == 202, response.content
    read = body(_send(api, "GET", f"/api2/invoices/{body(response)['id']}"))["data"]
    assert (read["InvoiceItem"][0]["tax1"], read["InvoiceItem"][0]["tax2"]) == (None, None)
    assert (read["Invoice"]["summary_total"], read["Invoice"]["summary_unpaid"]) == (100, 0)
    assert read["Payment"][0]["date"] == "2026-12-02"


def test_the_plugins_status_update_is_a_json_405_not_html(workspace, store, shop):
    # `update_daftra_order()` PUTs `{"Invoice": {"payment_status": 2}}` to `/api2/invoices/%s`: api2 has no edit
    # (PRODUCT.md section 8), and the answer is one the plugin can parse.
    api = key_client(workspace, header="apikey")

    response = _send(api, "PUT", "/api2/invoices/1", {"Invoice": {"payment_status": 2}})

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert body(response)["result"] == "failed"


# --- A PHP library ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/api2", "/api2/api2"])
def test_a_php_library_creates_reads_and_lists(workspace, store, shop, prefix):
    api = key_client(workspace, header="apikey")
    payload = {
        "Invoice": {
            "client_id": shop["client"].pk,
            "store_id": store.pk,
            "currency_code": "SAR",
            "date": "2026-12-01",
            "draft": 0,
            "notes": "Invoice for December",
            "InvoiceItem": [
                {"product_id": shop["hoodie"].pk, "quantity": 2, "unit_price": 100},
                {
                    "product_id": shop["cap"].pk,
                    "quantity": 1,
                    "unit_price": 50,
                    "discount": 10,
                    "discount_type": 1,
                },
            ],
        }
    }

    created = _send(api, "POST", f"{prefix}/invoices", payload)
    assert created.status_code == 202, created.content
    invoice_id = body(created)["id"]
    read = _send(api, "GET", f"{prefix}/invoices/{invoice_id}")
    listed = _send(api, "GET", f"{prefix}/invoices?page=1&limit=10")

    assert read.status_code == 200 and listed.status_code == 200
    invoice = body(read)["data"]["Invoice"]
    assert (invoice["id"], invoice["no"], invoice["summary_total"], invoice["summary_unpaid"]) == (
        invoice_id, "000001", 245, 245,
    )  # fmt: skip
    assert body(listed) == {
        "code": 200,
        "result": "successful",
        "data": [{"Invoice": invoice}],
        "pagination": {"page": 1, "limit": 10, "total_results": 1, "total_pages": 1},
    }
    # The same answers as the documented `.json` paths.
    assert _send(api, "GET", f"/api2/invoices/{invoice_id}.json").content == read.content
    assert _send(api, "GET", "/api2/invoices.json?page=1&limit=10").content == listed.content


def test_an_unknown_invoice_without_json_is_the_api2_404(workspace):
    response = _send(key_client(workspace), "GET", "/api2/invoices/999999")

    assert response.status_code == 404
    assert body(response) == {"code": 404, "result": "failed", "message": "Invoice not found."}


def test_without_a_key_the_extensionless_paths_answer_in_the_api2_envelope(workspace):
    for method, path in (("GET", "/api2/invoices"), ("POST", "/api2/invoices"), ("GET", "/api2/invoices/1")):
        response = _send(APIClient(), method, path, {"Invoice": {}} if method == "POST" else None)
        assert response.status_code == 401, (method, path, response.content)
        assert body(response)["result"] == "failed"


# --- A Python integration ------------------------------------------------------------------------------------


def test_a_python_integration_invoices_an_order_once(workspace, store, shop):
    api = key_client(workspace, header="bearer")
    order_id = "WC-1042"

    # Given the integration asks whether order WC-1042 was invoiced: not yet.
    before = _send(api, "GET", f"/api2/invoices?search={order_id}")
    assert body(before) == {
        "code": 200,
        "result": "successful",
        "data": [],
        "pagination": {"page": 1, "limit": 20, "total_results": 0, "total_pages": 0},
    }

    # When it invoices it, items beside `Invoice`, its payment inside with an ISO date-time.
    payload = {
        "Invoice": {
            "client_id": str(shop["client"].pk),
            "store_id": store.pk,
            "po_number": order_id,
            "date": "2026-12-02",
            "Payment": [{"payment_method": "card", "amount": 69, "date": "2026-12-02T10:15:00"}],
        },
        "InvoiceItem": [
            {"product_id": shop["cap"].pk, "quantity": 3, "unit_price": 20, "tax1": shop["vat"].pk},
        ],
    }
    created = _send(api, "POST", "/api2/invoices", payload)
    assert created.status_code == 202, created.content
    invoice_id = body(created)["id"]
    read = body(_send(api, "GET", f"/api2/invoices/{invoice_id}"))["data"]
    after = body(_send(api, "GET", f"/api2/invoices?search={order_id}"))

    # Then it reads the figures it books, and asking again finds exactly that invoice.
    assert [item["product_id"] for item in read["InvoiceItem"]] == [shop["cap"].pk]
    assert (read["Invoice"]["id"], read["Invoice"]["no"], read["Invoice"]["po_number"]) == (
        invoice_id, "000001", order_id,
    )  # fmt: skip
    assert (read["Invoice"]["summary_total"], read["Invoice"]["summary_paid"], read["Invoice"]["summary_unpaid"]) == (
        69, 69, 0,
    )  # fmt: skip
    assert read["Payment"][0] | {"id": None} == {
        "id": None, "payment_method": "card", "amount": 69, "date": "2026-12-02",
    }  # fmt: skip
    assert after["data"] == [{"Invoice": read["Invoice"]}]
    assert after["pagination"]["total_results"] == 1


# --- The schema --------------------------------------------------------------------------------------------------


def test_the_schema_documents_each_api2_operation_once_with_distinct_ids():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    api2 = {path: operations for path, operations in schema["paths"].items() if path.startswith("/api2/")}

    assert set(api2) == {"/api2/invoices.json", "/api2/invoices/{id}.json", "/api2/invoices/{id}/zatca.xml"}
    # A code generator keeps letters and digits only: the list and the view must not become one operation.
    ids = [operation["operationId"] for operations in api2.values() for operation in operations.values()]
    assert len({re.sub("[^a-z0-9]+", "_", identifier.lower()) for identifier in ids}) == len(ids) == 4
    list_parameters = {p["name"] for p in api2["/api2/invoices.json"]["get"]["parameters"]}
    assert list_parameters == {
        "page",
        "limit",
        "client_id",
        "store_id",
        "draft",
        "date_from",
        "date_to",
        "search",
    }


def test_a_retry_on_the_other_spelling_of_the_path_replays_the_same_invoice(workspace, store, shop):
    """`/api2/invoices` and `/api2/invoices.json` are one path for an `Idempotency-Key`: a client that retries on the
    other spelling gets its invoice back, not a second one nor a 422."""
    api = key_client(workspace, header="apikey")
    payload = {
        "Invoice": {"client_id": shop["client"].pk, "store_id": store.pk, "date": "2026-12-02"},
        "InvoiceItem": [{"product_id": shop["cap"].pk, "quantity": 1, "unit_price": 20}],
    }
    first = _send(api, "POST", "/api2/invoices", payload, HTTP_IDEMPOTENCY_KEY="order-77")
    again = _send(api, "POST", "/api2/api2/invoices.json", payload, HTTP_IDEMPOTENCY_KEY="order-77")
    assert first.status_code == again.status_code == 202
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1
