"""Concurrent api2 invoices on one product: real threads and real row locks (PostgreSQL only)."""

from decimal import Decimal

import pytest

from invoicing.models import Invoice, StockLevel, StockMovement
from invoicing.services.sales_invoices import sales_invoice_issue
from tests.concurrency import run_together
from tests.conftest import make_staff
from tests.factories import ClientFactory, StoreFactory, WorkspaceFactory
from tests.invoicing.api2_helpers import body, item, key_client, post_invoice
from tests.invoicing.factories import ProductFactory, StockLevelFactory
from workspaces import codes
from workspaces.errors import ApplicationError
from workspaces.tenancy import Access

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_invoices_never_oversell_and_leave_no_gap_in_the_numbers():
    workspace = WorkspaceFactory()
    store = StoreFactory(workspace=workspace)
    client = ClientFactory(workspace=workspace)
    scarce, plenty = ProductFactory(workspace=workspace), ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=store, product=scarce, quantity=Decimal("3"))
    StockLevelFactory(workspace=workspace, store=store, product=plenty, quantity=Decimal("100"))
    # Lines in both orders: the stock locks are taken in primary-key order, so no deadlock.
    orders = [[item(scarce.pk), item(plenty.pk)], [item(plenty.pk), item(scarce.pk)]]

    def sell(index):
        lines = orders[index % 2]
        payload = {"Invoice": {"client_id": client.pk, "store_id": store.pk, "InvoiceItem": lines}}
        response = post_invoice(key_client(workspace), payload)
        return response.status_code, body(response)

    results = [value for kind, value in run_together(8, sell) if kind == "ok"]

    assert len(results) == 8
    assert sorted(status for status, _body in results) == [202] * 3 + [400] * 5
    refusals = [answer["validation_errors"] for status, answer in results if status == 400]
    assert all(list(errors.values()) == ["insufficient stock"] for errors in refusals)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert StockLevel.objects.get(product=scarce).quantity == 0
    assert StockLevel.objects.get(product=plenty).quantity == 97
    assert StockMovement.objects.count() == 6


def test_a_draft_issued_twice_at_once_takes_its_stock_once():
    workspace = WorkspaceFactory()
    store = StoreFactory(workspace=workspace)
    product = ProductFactory(workspace=workspace)
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("10"))
    client = ClientFactory(workspace=workspace)
    payload = {
        "Invoice": {
            "client_id": client.pk,
            "store_id": store.pk,
            "draft": 1,
            "InvoiceItem": [item(product.pk, 4)],
        }
    }
    draft = Invoice.objects.get(pk=body(post_invoice(key_client(workspace), payload))["id"])
    clerk = make_staff(workspace, codes.INVOICES_MANAGE)
    access = Access(workspace=workspace, user=clerk, membership=clerk.memberships.get(), api_key=None)

    results = run_together(4, lambda _index: sales_invoice_issue(invoice=draft, access=access))

    assert [kind for kind, _value in results].count("ok") == 1
    refused = [value for kind, value in results if kind == "error"]
    assert all(isinstance(error, ApplicationError) and error.code == "invoice_not_draft" for error in refused)
    assert StockLevel.objects.get(product=product).quantity == 6
