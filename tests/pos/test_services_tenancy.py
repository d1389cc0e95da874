"""Services trust no caller: a row of another workspace given to a POS service is `NotFoundError`, and nothing is
written (the API's views look rows up in the workspace first; these tests hold the services on their own)."""

from decimal import Decimal

import pytest

from invoicing.models import StockLevel
from pos import services
from pos.models import BusinessSession, OrderStatus, PosInvoice, PosInvoiceEvent, PosInvoiceItem
from tests.factories import ClientFactory, StoreFactory
from tests.pos.conftest import owner_access, stocked_product
from tests.pos.services_helpers import draft_with, open_day
from workspaces.errors import NotFoundError

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(workspace, owner):
    return owner_access(workspace, owner)


@pytest.fixture
def foreign_store(other_workspace):
    return StoreFactory(workspace=other_workspace, name="Their store")


def test_session_open_refuses_another_workspaces_store(workspace, access, foreign_store):
    with pytest.raises(NotFoundError, match="Store not found"):
        open_day(workspace, access, foreign_store)
    assert not BusinessSession.objects.exists()


def test_invoice_create_refuses_another_workspaces_client(workspace, access, store, other_workspace):
    open_day(workspace, access, store)
    with pytest.raises(NotFoundError, match="Client not found"):
        services.invoice_create(
            workspace=workspace, access=access, client=ClientFactory(workspace=other_workspace), store=store
        )
    assert not PosInvoice.objects.exists()


def test_invoice_create_refuses_another_workspaces_store(workspace, access, store, customer, other_workspace):
    open_day(workspace, access, store)
    # Even a foreign store with an open day of its own: the store is checked, not looked up through its session.
    their_store = StoreFactory(workspace=other_workspace)
    BusinessSession.objects.create(
        workspace=other_workspace, store=their_store, business_date=store.created_at.date(), opening_cash=0
    )
    with pytest.raises(NotFoundError, match="Store not found"):
        services.invoice_create(workspace=workspace, access=access, client=customer, store=their_store)
    assert not PosInvoice.objects.exists()


def test_invoice_add_item_refuses_another_workspaces_product(
    workspace, access, store, customer, other_workspace
):
    open_day(workspace, access, store)
    invoice = draft_with(workspace, access, store, customer)
    theirs = stocked_product(other_workspace, StoreFactory(workspace=other_workspace), price="99")

    with pytest.raises(NotFoundError, match="Product not found"):
        services.invoice_add_item(
            invoice=invoice, access=access, product=theirs, quantity=Decimal(1), unit_price=None, note=""
        )

    invoice.refresh_from_db()
    assert (invoice.total, PosInvoiceItem.objects.count()) == (Decimal(0), 0)
    assert not StockLevel.objects.filter(product=theirs, quantity__lt=50).exists()


def test_invoice_set_order_status_refuses_another_workspaces_status(
    workspace, access, store, customer, other_workspace
):
    open_day(workspace, access, store)
    invoice = draft_with(workspace, access, store, customer)
    theirs = OrderStatus.objects.create(workspace=other_workspace, label_ar="جاهز", position=1)

    with pytest.raises(NotFoundError, match="Order status not found"):
        services.invoice_set_order_status(invoice=invoice, access=access, order_status=theirs)

    invoice.refresh_from_db()
    assert invoice.order_status is None
    assert not PosInvoiceEvent.objects.filter(action="order_status_set").exists()


def test_the_workspaces_own_rows_pass(workspace, access, store, customer):
    """The guard lets the workspace's own rows through (a check that refused everything would pass the above)."""
    open_day(workspace, access, store)
    mine = OrderStatus.objects.create(workspace=workspace, label_ar="جاهز", position=1)
    coffee = stocked_product(workspace, store, price="10")

    invoice = draft_with(workspace, access, store, customer, (coffee, "2"))
    invoice = services.invoice_set_order_status(invoice=invoice, access=access, order_status=mine)

    invoice.refresh_from_db()
    assert (invoice.client, invoice.store, invoice.order_status, invoice.total) == (
        customer,
        store,
        mine,
        Decimal("20.000"),
    )
