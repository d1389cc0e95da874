from decimal import Decimal

import factory

from invoicing.models import Product, StockLevel, Tax
from tests.factories import StoreFactory, WorkspaceFactory
from workspaces import codes
from workspaces.models import Membership, User
from workspaces.tenancy import Access


def stock_keeper(workspace) -> Access:
    """A member holding `catalog.manage` (one per workspace), for tests that set stock up through `stock_adjust`,
    which checks that code itself."""
    user, _created = User.objects.get_or_create(
        email=f"stock-keeper-{workspace.pk}@example.com", defaults={"name": "Stock keeper"}
    )
    membership, _created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"permissions": [codes.CATALOG_MANAGE]}
    )
    return Access(workspace=workspace, user=user, membership=membership, api_key=None)


class TaxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tax

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Tax {n}")
    rate = Decimal("15")
    inclusive = False


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    name_ar = ""
    price = Decimal("10")
    track_stock = True

    @factory.post_generation
    def taxes(self, create, extracted, **kwargs):
        if create and extracted:
            self.taxes.set(extracted)


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    workspace = factory.SubFactory(WorkspaceFactory)
    store = factory.SubFactory(StoreFactory, workspace=factory.SelfAttribute("..workspace"))
    product = factory.SubFactory(ProductFactory, workspace=factory.SelfAttribute("..workspace"))
    quantity = Decimal("0")
