"""Tenancy rows for the suppliers endpoints (picked up by tests/tenancy/test_tenancy.py)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from suppliers.models import InvoiceFile, Supplier, SupplierInvoice, SupplierPayment
from tests.tenancy.rows import Row

VIEW = "suppliers.view"
MANAGE = "suppliers.manage"


@dataclass
class Nested:
    """`pk` is the rest of the path: `4/invoices/15` below `/suppliers/`, a file name below `/files/`."""

    pk: str


def _supplier(workspace):
    return Supplier.objects.create(workspace=workspace, name="مورد")


def _invoice_row(workspace) -> SupplierInvoice:
    supplier = _supplier(workspace)
    number = f"T-{SupplierInvoice.objects.count() + 1}"
    return SupplierInvoice.objects.create(
        workspace=workspace,
        supplier=supplier,
        invoice_number=number,
        invoice_number_normalised=number.casefold(),
        currency=workspace.currency,
        total_amount=100,
        remaining_amount=100,
        issue_date=dt.date(2024, 1, 15),
    )


def _invoice(workspace):
    invoice = _invoice_row(workspace)
    return Nested(f"{invoice.supplier_id}/invoices/{invoice.pk}")


def _payment(workspace):
    invoice = _invoice_row(workspace)
    payment = SupplierPayment.objects.create(
        workspace=workspace, invoice=invoice, amount=10, paid_at=dt.datetime(2024, 1, 16, tzinfo=dt.UTC)
    )
    invoice.paid_amount, invoice.remaining_amount, invoice.status = 10, 90, "partially_paid"
    invoice.save()
    return Nested(f"{invoice.supplier_id}/invoices/{invoice.pk}/payments/{payment.pk}")


def _file(workspace):
    """A stored file's row, its name under the workspace's prefix (no bytes in storage: every answer checked here
    is given before they would be read)."""
    file_name = f"{secrets.token_urlsafe(24)}.webp"
    name = f"supplier-invoices/{workspace.pk}/{file_name}"
    InvoiceFile.objects.create(workspace=workspace, name=name, size=10, content_type="image/webp")
    return Nested(file_name)


BASE = "/v1/workspace/{ws}"
INVOICE_BODY = {"invoiceNumber": "INV-001", "totalAmount": 5000, "issueDate": "2024-01-15"}

ROWS: list[Row] = [
    Row("GET", f"{BASE}/suppliers", VIEW),
    Row("POST", f"{BASE}/suppliers", MANAGE, body={"name": "مورد"}),
    Row("GET", f"{BASE}/suppliers/{{obj}}", VIEW, make=_supplier),
    Row("PATCH", f"{BASE}/suppliers/{{obj}}", MANAGE, make=_supplier, body={"name": "x"}),
    Row("DELETE", f"{BASE}/suppliers/{{obj}}", MANAGE, make=_supplier),
    Row("GET", f"{BASE}/suppliers/{{obj}}/invoices", VIEW, make=_supplier),
    Row("POST", f"{BASE}/suppliers/{{obj}}/invoices", MANAGE, make=_supplier, body=INVOICE_BODY),
    Row("POST", f"{BASE}/suppliers/{{obj}}/invoice-image", MANAGE, make=_supplier),
    Row("GET", f"{BASE}/suppliers/{{obj}}", VIEW, make=_invoice),
    Row("PATCH", f"{BASE}/suppliers/{{obj}}", MANAGE, make=_invoice, body={"notes": "x"}),
    Row("DELETE", f"{BASE}/suppliers/{{obj}}", MANAGE, make=_invoice),
    Row("POST", f"{BASE}/suppliers/{{obj}}/payments", MANAGE, make=_invoice, body={"amount": 1}),
    Row("DELETE", f"{BASE}/suppliers/{{obj}}", MANAGE, make=_payment),
    Row("GET", f"{BASE}/supplier-invoices", VIEW),
    Row("GET", f"{BASE}/supplier-invoices/export", VIEW),
    Row("GET", f"{BASE}/supplier-invoices/aging", VIEW),
    Row("GET", f"{BASE}/files/{{obj}}", VIEW, make=_file),
]
