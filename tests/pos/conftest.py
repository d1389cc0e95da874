from decimal import Decimal

import pytest

from invoicing.services import stock_adjust
from tests.conftest import client_for, make_staff
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, TaxFactory, stock_keeper
from workspaces import codes
from workspaces.tenancy import Access


def owner_access(workspace, owner):
    return Access(
        workspace=workspace, user=owner, membership=owner.memberships.get(workspace=workspace), api_key=None
    )


def stocked_product(workspace, store, *, quantity="50", price="10", taxes=(), **fields):
    product = ProductFactory(workspace=workspace, price=Decimal(price), taxes=list(taxes), **fields)
    if Decimal(quantity):
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=Decimal(quantity),
            reason="count",
            access=stock_keeper(workspace),
        )
    return product


def stock_of(product, store) -> Decimal:
    level = product.stock_levels.filter(store=store).first()
    return level.quantity if level else Decimal(0)


@pytest.fixture
def cashier(workspace, store):
    return make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store)


@pytest.fixture
def cashier_client(cashier):
    return client_for(cashier)


@pytest.fixture
def session(owner_client, workspace, store):
    response = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/sessions", {"openingCash": 100}, format="json"
    )
    assert response.status_code == 201, response.content
    from pos.models import BusinessSession

    return BusinessSession.objects.get(pk=response.json()["session"]["id"])


@pytest.fixture
def customer(workspace):
    return ClientFactory(workspace=workspace, name="عميل نقدي")


@pytest.fixture
def vat(workspace):
    return TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"), inclusive=False)


@pytest.fixture
def coffee(workspace, store):
    return stocked_product(workspace, store, price="10", name="قهوة عربية", sku="COF-1")


@pytest.fixture
def invoices_url(workspace):
    return f"/v1/workspace/{workspace.pk}/pos/invoices"


@pytest.fixture
def new_invoice(cashier_client, invoices_url, session, customer):
    """Creates a draft through the API; returns its JSON."""

    def create(client=None, **body):
        response = cashier_client.post(
            invoices_url, {"clientId": str((client or customer).pk), **body}, format="json"
        )
        assert response.status_code == 201, response.content
        return response.json()["invoice"]

    return create
