"""A client generated from the schema drives the product, with no request written by hand (PRODUCT.md section 10).

openapi-python-client generates a Python package from the schema once for the module (a few seconds), without a
warning; the tests import it and, against a live server, make a POS sale (open the day, create an invoice, add an
item, complete it with a payment), record a supplier invoice and a payment on it, and create, read and find an
api2 invoice. Every answer is parsed by the generated models, so a schema that lies about a body, an enum, a
nullable field or a status code fails here as it would fail the client.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from workspaces.services import tokens_for

pytest.importorskip("openapi_python_client", reason="openapi-python-client is a dev dependency")

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "invoicing_client"
# The generator's own settings: no formatter run afterwards; binary answers (a stored file) read as bytes.
CONFIG = {
    "post_hooks": [],
    "project_name_override": PACKAGE,
    "package_name_override": PACKAGE,
    "content_type_overrides": {
        "image/webp": "application/octet-stream",
        "application/pdf": "application/octet-stream",
        "application/xml": "application/octet-stream",  # a signed ZATCA XML: its exact bytes are what was hashed
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> ModuleType:
    root = tmp_path_factory.mktemp("generated")
    schema = root / "schema.json"
    schema.write_bytes(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    config = root / "config.json"
    config.write_text(json.dumps(CONFIG))
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema)]
    command += ["--output-path", str(root / PACKAGE), "--meta", "none", "--config", str(config)]
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


class Api:
    """The generated operations, called by their operation ids; each answer checked for its status and parsed."""

    def __init__(self, package: ModuleType, base_url: str, token: str) -> None:
        self.package = package
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.client = package.AuthenticatedClient(
            base_url=base_url, token=token, raise_on_unexpected_status=True
        )

    def call(self, tag: str, operation: str, expect: int, *args: Any, **kwargs: Any) -> Any:
        module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")
        response = module.sync_detailed(*args, client=self.client, **kwargs)
        assert response.status_code == expect, response.content
        return response


@pytest.fixture
def api(generated, live_server, owner):
    api = Api(generated, live_server.url, tokens_for(user=owner)["access"])
    # Closing the client closes its kept-alive connections: the live server's threads let go of the database.
    with api.client:
        yield api


def test_the_client_has_every_operation_under_its_own_name(generated):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            tag = operation["tags"][0].lower()
            module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation['operationId']}")
            assert hasattr(module, "sync_detailed"), f"{method.upper()} {path}"


def test_a_pos_sale(api, workspace):
    m, ws = api.models, str(workspace.pk)
    client = api.call(
        "workspace", "v1_workspace_clients_create", 201, ws, body=m.ClientInputRequest(name="عميل")
    )
    client = client.parsed.client
    product = api.call(
        "catalogue",
        "v1_workspace_products_create",
        201,
        ws,
        body=m.ProductInputRequest(name="قهوة عربية", price=12.5, track_stock=False),
    ).parsed.product

    session = api.call(
        "pos", "v1_workspace_pos_sessions_create", 201, ws, body=m.SessionOpenInputRequest(opening_cash=100.0)
    ).parsed.session
    assert session.status == m.SessionStatusEnum.OPEN
    assert session.opened_by.type_ == m.ActorTypeEnum.OWNER and session.closed_by is None

    created = api.call(
        "pos",
        "v1_workspace_pos_invoices_create",
        201,
        ws,
        body=m.InvoiceCreateInputRequest(client_id=client.id),
        idempotency_key="till-1-sale-1",
    )
    invoice = created.parsed.invoice
    assert invoice.status == m.PosInvoiceStatusEnum.DRAFT
    replayed = api.call(
        "pos",
        "v1_workspace_pos_invoices_create",
        201,
        ws,
        body=m.InvoiceCreateInputRequest(client_id=client.id),
        idempotency_key="till-1-sale-1",
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.parsed.invoice.id == invoice.id

    invoice = api.call(
        "pos",
        "v1_workspace_pos_invoices_items_create",
        201,
        ws,
        invoice.id,
        body=m.ItemAddInputRequest(product_id=product.id, quantity=2.0),
    ).parsed.invoice
    assert [(item.name, item.quantity, item.total) for item in invoice.items] == [("قهوة عربية", 2, 25)]

    payment = m.PaymentInputRequest(method=m.PaymentMethodEnum.CASH, amount=30.0)
    invoice = api.call(
        "pos",
        "v1_workspace_pos_invoices_complete_create",
        200,
        ws,
        invoice.id,
        body=m.CompleteInputRequest(payments=[payment]),
    ).parsed.invoice
    assert (invoice.status, invoice.total, invoice.change_due) == (m.PosInvoiceStatusEnum.COMPLETED, 25, 5)
    assert [(p.method, p.amount) for p in invoice.payments] == [(m.PaymentMethodEnum.CASH, 30)]
    assert invoice.created_by.type_ == m.ActorTypeEnum.OWNER

    page = api.call(
        "pos", "v1_workspace_pos_invoices_list", 200, ws, status=m.PosInvoiceStatusEnum.COMPLETED, limit=10
    )
    assert [row.id for row in page.parsed.invoices] == [invoice.id]
    assert page.parsed.next_cursor is None


def test_a_supplier_invoice_and_its_payment(api, workspace):
    m, ws = api.models, str(workspace.pk)
    supplier = api.call(
        "suppliers",
        "v1_workspace_suppliers_create",
        201,
        ws,
        body=m.SupplierInputRequest(name="مؤسسة التوريدات"),
    ).parsed.supplier
    invoice = api.call(
        "suppliers",
        "v1_workspace_suppliers_invoices_create",
        201,
        ws,
        supplier.id,
        body=m.SupplierInvoiceCreateInputRequest(
            invoice_number="INV-7",
            total_amount=500.0,
            issue_date=dt.date(2026, 1, 5),
            due_date=dt.date(2026, 2, 5),
        ),
    ).parsed.invoice
    assert (invoice.status, invoice.remaining_amount) == (m.SupplierInvoiceOutputStatusEnum.PENDING, 500)

    paid = api.call(
        "suppliers",
        "v1_workspace_suppliers_invoices_payments_create",
        201,
        ws,
        supplier.id,
        invoice.id,
        body=m.SupplierPaymentInputRequest(
            amount=200.0, method=m.PaymentMethodEnum.TRANSFER, reference="TRX-1"
        ),
        idempotency_key="supplier-payment-1",
    ).parsed
    assert (paid.payment.amount, paid.payment.method) == (200, m.PaymentMethodEnum.TRANSFER)
    assert (paid.invoice.paid_amount, paid.invoice.remaining_amount) == (200, 300)
    assert paid.invoice.status == m.SupplierInvoiceOutputStatusEnum.PARTIALLY_PAID

    again = api.call(
        "suppliers", "v1_workspace_suppliers_invoices_retrieve", 200, ws, supplier.id, invoice.id
    ).parsed.invoice
    assert (again.remaining_amount, again.currency) == (300, m.StoredCurrencyCode.SAR)
    page = api.call(
        "suppliers",
        "v1_workspace_supplier_invoices_list",
        200,
        ws,
        status=m.SupplierInvoiceOutputStatusEnum.PARTIALLY_PAID,
        limit=5,
    ).parsed
    assert [row.id for row in page.invoices] == [invoice.id]


def test_an_api2_invoice(api, workspace):
    m, ws = api.models, str(workspace.pk)
    client = api.call(
        "workspace", "v1_workspace_clients_create", 201, ws, body=m.ClientInputRequest(name="شركة")
    )
    product = api.call(
        "catalogue",
        "v1_workspace_products_create",
        201,
        ws,
        body=m.ProductInputRequest(name="Service", price=10.0, track_stock=False),
    ).parsed.product
    store = api.call("workspace", "v1_workspace_stores_list", 200, ws, limit=1).parsed.stores[0]

    item = m.Api2InvoiceItemInputRequest(product_id=int(product.id), quantity=2.0, unit_price=10.0)
    body = m.Api2InvoiceCreateRequestRequest(
        invoice=m.Api2InvoiceInputRequest(
            client_id=int(client.parsed.client.id),
            store_id=int(store.id),
            invoice_item=[item],
            currency_code=m.CurrencyCode.SAR,
            po_number="WC-1001",
        )
    )
    created = api.call("api2", "api2_invoices_create", 202, body=body, idempotency_key="wc-order-1001").parsed
    assert (created.code, created.result) == (202, "successful")

    seen = api.call("api2", "api2_invoices_retrieve", 200, str(created.id)).parsed.data
    assert (seen.invoice.id, seen.invoice.po_number, seen.invoice.summary_total) == (
        created.id,
        "WC-1001",
        20,
    )
    assert [(line.quantity, line.total) for line in seen.invoice_item] == [(2, 20)]

    found = api.call("api2", "api2_invoices_list", 200, search="WC-1001").parsed
    assert [row.invoice.id for row in found.data] == [created.id]
    assert found.pagination.total_results == 1
