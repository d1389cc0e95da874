from decimal import Decimal

import factory

from invoicing.models import Product, StockLevel, Tax
from tests.factories import StoreFactory, WorkspaceFactory


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
