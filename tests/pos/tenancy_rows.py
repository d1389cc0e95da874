"""Tenancy rows for the POS endpoints (picked up by tests/tenancy/test_tenancy.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pos.models import BusinessSession, OrderStatus, PosInvoice, PosInvoiceDiscount, PosInvoiceItem, PosReturn
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.factories import ProductFactory
from tests.tenancy.rows import Row

ORDERS = "store.orders.manage"
SESSIONS = "pos.sessions.manage"


@dataclass
class Nested:
    """`pk` is the path below the collection: `15/items/3`."""

    pk: str


def _session(workspace, status="open"):
    store = workspace.stores.first() or StoreFactory(workspace=workspace)
    return BusinessSession.objects.create(
        workspace=workspace, store=store, business_date=dt.date(2025, 3, 19), status=status
    )


def _invoice(workspace):
    session = _session(workspace)
    number = PosInvoice.objects.filter(workspace=workspace).count() + 1
    return PosInvoice.objects.create(
        workspace=workspace,
        store=session.store,
        session=session,
        business_date=session.business_date,
        client=ClientFactory(workspace=workspace),
        number=number,
        public_id=f"POS-{number:03d}",
        currency=workspace.currency,
        created_by_type="owner",
    )


def _item(workspace):
    invoice = _invoice(workspace)
    product = ProductFactory(workspace=workspace)
    item = PosInvoiceItem.objects.create(
        workspace=workspace, invoice=invoice, product=product, name=product.name, quantity=1, unit_price=1
    )
    return Nested(f"{invoice.pk}/items/{item.pk}")


def _discount(workspace):
    invoice = _invoice(workspace)
    discount = PosInvoiceDiscount.objects.create(
        workspace=workspace, invoice=invoice, source="manual", type="fixed", value=1
    )
    return Nested(f"{invoice.pk}/discounts/{discount.pk}")


def _return(workspace):
    invoice = _invoice(workspace)
    return PosReturn.objects.create(
        workspace=workspace,
        store=invoice.store,
        invoice=invoice,
        session=invoice.session,
        business_date=invoice.business_date,
        number=invoice.number,
        public_id=f"CN-{invoice.number:03d}",
        currency=workspace.currency,
        reason="damaged",
        created_by_type="owner",
    )


def _status(workspace):
    return OrderStatus.objects.create(workspace=workspace, label_ar="جاهز")


BASE = "/v1/workspace/{ws}/pos"

ROWS: list[Row] = [
    Row("GET", f"{BASE}/sessions", None),
    Row("POST", f"{BASE}/sessions", SESSIONS),
    Row("GET", f"{BASE}/sessions/current", None),
    Row("GET", f"{BASE}/sessions/{{obj}}", None, make=_session),
    Row("GET", f"{BASE}/sessions/{{obj}}/report", None, make=_session),
    Row("POST", f"{BASE}/sessions/{{obj}}/close", SESSIONS, make=_session),
    Row("GET", f"{BASE}/order-statuses", None),
    Row("POST", f"{BASE}/order-statuses", "owner", body={"labelAr": "جاهز"}),
    Row("PATCH", f"{BASE}/order-statuses/{{obj}}", "owner", make=_status, body={"labelEn": "Ready"}),
    Row("DELETE", f"{BASE}/order-statuses/{{obj}}", "owner", make=_status),
    Row("GET", f"{BASE}/invoices", ORDERS),
    Row("POST", f"{BASE}/invoices", ORDERS, body={"clientId": "1"}),
    Row("GET", f"{BASE}/invoices/{{obj}}", ORDERS, make=_invoice),
    Row("PATCH", f"{BASE}/invoices/{{obj}}", ORDERS, make=_invoice, body={"orderStatusId": None}),
    Row(
        "POST",
        f"{BASE}/invoices/{{obj}}/items",
        ORDERS,
        make=_invoice,
        body={"productId": "1", "quantity": 1},
    ),
    Row("PATCH", f"{BASE}/invoices/{{obj}}", ORDERS, make=_item, body={"quantity": 2}),
    Row("DELETE", f"{BASE}/invoices/{{obj}}", ORDERS, make=_item),
    Row(
        "POST",
        f"{BASE}/invoices/{{obj}}/discounts",
        ORDERS,
        make=_invoice,
        body={"type": "fixed", "value": 1},
    ),
    Row("DELETE", f"{BASE}/invoices/{{obj}}", ORDERS, make=_discount),
    Row("POST", f"{BASE}/invoices/{{obj}}/complete", ORDERS, make=_invoice),
    Row("POST", f"{BASE}/invoices/{{obj}}/cancel", ORDERS, make=_invoice),
    Row("GET", f"{BASE}/invoices/{{obj}}/receipt", ORDERS, make=_invoice),
    Row("GET", f"{BASE}/invoices/{{obj}}/returns", ORDERS, make=_invoice),
    Row("POST", f"{BASE}/invoices/{{obj}}/returns", "pos.invoices.void", make=_invoice, body={"reason": "x"}),
    Row("POST", f"{BASE}/sync", ORDERS, body={"deviceId": "till-1", "sales": []}),
    Row("GET", f"{BASE}/returns", ORDERS),
    Row("GET", f"{BASE}/returns/{{obj}}", ORDERS, make=_return),
    Row("GET", f"{BASE}/returns/{{obj}}/receipt", ORDERS, make=_return),
    Row("GET", f"{BASE}/invoices/{{obj}}/zatca", ORDERS, make=_invoice),
    Row("GET", f"{BASE}/invoices/{{obj}}/zatca.xml", ORDERS, make=_invoice),
    Row("GET", f"{BASE}/returns/{{obj}}/zatca", ORDERS, make=_return),
    Row("GET", f"{BASE}/returns/{{obj}}/zatca.xml", ORDERS, make=_return),
]
