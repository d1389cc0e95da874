import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from suppliers.models import Supplier, SupplierInvoice
from tests.conftest import client_for, make_staff
from workspaces import codes


@pytest.fixture
def supplier(workspace):
    return Supplier.objects.create(workspace=workspace, name="مؤسسة التوريدات الحديثة")


@pytest.fixture
def accountant(workspace, store):
    return make_staff(workspace, codes.SUPPLIERS_MANAGE, store=store)


@pytest.fixture
def accountant_client(accountant):
    return client_for(accountant)


@pytest.fixture
def viewer_client(workspace, store):
    return client_for(make_staff(workspace, codes.SUPPLIERS_VIEW, store=store))


@pytest.fixture
def base_url(workspace):
    return f"/v1/workspace/{workspace.pk}"


@pytest.fixture
def invoices_url(base_url, supplier):
    return f"{base_url}/suppliers/{supplier.pk}/invoices"


@pytest.fixture
def new_invoice(accountant_client, invoices_url):
    """Creates an invoice through the API; returns its JSON."""

    def create(**body):
        payload = {"invoiceNumber": "INV-001", "totalAmount": 5000, "issueDate": "2024-01-15", **body}
        response = accountant_client.post(invoices_url, payload, format="json")
        assert response.status_code == 201, response.content
        return response.json()["invoice"]

    return create


@pytest.fixture
def frozen_today(monkeypatch):
    """Sets the clock so that the workspace's (Asia/Riyadh) today is the given date, at 12:00 there."""

    def freeze(day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)  # 12:00 in Riyadh
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def make_invoice(workspace, supplier, number, total="100", *, issue="2024-01-01", due=None, paid="0"):
    """A row written directly, for reads (lists, aging, exports, tenancy)."""
    total, paid = Decimal(total), Decimal(paid)
    remaining = total - paid
    status = "paid" if remaining == 0 else ("pending" if paid == 0 else "partially_paid")
    return SupplierInvoice.objects.create(
        workspace=workspace,
        supplier=supplier,
        invoice_number=number,
        invoice_number_normalised=number.casefold(),
        currency=workspace.currency,
        total_amount=total,
        paid_amount=paid,
        remaining_amount=remaining,
        status=status,
        issue_date=dt.date.fromisoformat(issue),
        due_date=dt.date.fromisoformat(due) if due else None,
    )
