from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders import services
from tests.factories import MembershipFactory, UserFactory, owner_access
from tests.invoicing.factories import ProductFactory, TaxFactory
from workspaces import codes
from workspaces.services import api_key_create, tokens_for
from workspaces.tenancy import Access

# Seed 003's quantities; prices, discounts and VAT chosen so that the total is the seed's 3684.78:
# net 1500 + (800 - 20) + 800 + 100 + 24.16 = 3204.16, VAT 15 % = 480.624 -> 480.62, total 3684.78.
SEED_LINES = [
    ("Arabic coffee", "30", "50", "0"),
    ("Cappuccino", "20", "40", "20"),
    ("Mint tea", "10", "80", "0"),
    ("Za'atar croissant", "5", "20", "0"),
    ("Sukkari dates", "2", "12.08", "0"),
]


def token_client(user=None, *, raw: str | None = None, bearer: bool = False) -> APIClient:
    """A client that authenticates with seed 003's `accessToken` header."""
    token = raw if raw is not None else tokens_for(user=user)["access"]
    api = APIClient()
    api.credentials(HTTP_ACCESSTOKEN=f"Bearer {token}" if bearer else token)
    return api


def access_of(workspace, user) -> Access:
    return Access(
        workspace=workspace, user=user, membership=user.memberships.get(workspace=workspace), api_key=None
    )


def make_order(workspace, user, lines, *, client_id=None, meta_fields=None):
    """`lines`: (name, quantity, unit price, discount[, taxes]) tuples, through the service as the API does."""
    return services.order_create(
        workspace=workspace,
        access=access_of(workspace, user),
        client_id=client_id,
        lines=[
            services.OrderLineRequest(
                name=name,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                discount=Decimal(discount),
                tax_ids=[tax.pk for tax in (rest[0] if rest else [])],
            )
            for name, quantity, price, discount, *rest in lines
        ],
        meta_fields=meta_fields or [],
    )


@pytest.fixture
def vat(workspace):
    return TaxFactory(workspace=workspace, name="VAT 15%", rate=Decimal("15"), inclusive=False)


@pytest.fixture
def api(owner):
    return token_client(owner)


@pytest.fixture
def clerk(workspace, store):
    """A staff member who may manage orders."""
    user = UserFactory(name="Khalid Clerk")
    MembershipFactory(workspace=workspace, user=user, permissions=[codes.ORDERS_MANAGE], store=store)
    return user


@pytest.fixture
def seed_order(workspace, owner, vat):
    return make_order(workspace, owner, [(*line, [vat]) for line in SEED_LINES])


@pytest.fixture
def api_key(workspace, owner):
    _key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="Order platform")
    return raw


@pytest.fixture
def product(workspace, vat):
    return ProductFactory(workspace=workspace, name="Arabic coffee", price=Decimal("12"), taxes=[vat])
