from decimal import Decimal

import pytest

from invoicing.demo import DEMO_PRODUCTS, seed_invoicing_demo
from invoicing.models import Product, StockLevel, StockMovement, Tax
from tests.invoicing.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent(workspace, store, owner):
    seed_invoicing_demo(workspace=workspace, store=store)
    seed_invoicing_demo(workspace=workspace, store=store)

    tax = Tax.objects.get()
    assert (tax.workspace, tax.rate, tax.inclusive) == (workspace, Decimal(15), False)
    assert Product.objects.filter(workspace=workspace).count() == len(DEMO_PRODUCTS) == 6
    coffee = Product.objects.get(sku="COF-001")
    assert (coffee.name, coffee.name_ar, coffee.price) == ("Arabic coffee", "قهوة عربية", Decimal(12))
    assert list(coffee.taxes.all()) == [tax]
    assert set(StockLevel.objects.values_list("quantity", flat=True)) == {Decimal(50)}
    assert StockMovement.objects.count() == 6


def test_seed_keeps_what_exists(workspace, store, owner):
    ProductFactory(workspace=workspace, sku="COF-001", name="Our own coffee")
    seed_invoicing_demo(workspace=workspace, store=store)
    assert Product.objects.get(sku="COF-001").name == "Our own coffee"
    assert StockLevel.objects.count() == 6
