from decimal import Decimal

import pytest
from django.test import Client

from invoicing.models import Product, StockMovement
from invoicing.services import stock_adjust
from tests.conftest import make_staff
from tests.invoicing.factories import ProductFactory, TaxFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(owner):
    client = Client()
    client.force_login(owner)
    return client


def product_form(**fields) -> dict:
    return {
        "name": "Arabic coffee",
        "name_ar": "قهوة عربية",
        "sku": "",
        "barcode": "",
        "price": "12.50",
        "track_stock": "on",
        "stock_levels-TOTAL_FORMS": "0",
        "stock_levels-INITIAL_FORMS": "0",
        **fields,
    }


def test_every_page_shows_only_this_workspace(admin_client, workspace, store, other_workspace):
    mine = ProductFactory(workspace=workspace, name="Mine-coffee")
    theirs = ProductFactory(workspace=other_workspace, name="Theirs-coffee")
    stock_adjust(
        workspace=workspace, store=store, product=mine, quantity=Decimal(5), reason="count", actor=None
    )
    TaxFactory(workspace=other_workspace, name="Theirs-tax")

    for page in ("tax", "product", "stocklevel", "stockmovement"):
        response = admin_client.get(f"/admin/invoicing/{page}/")
        assert response.status_code == 200, page
        assert b"Theirs-" not in response.content
    assert b"Mine-coffee" in admin_client.get("/admin/invoicing/product/").content
    assert admin_client.get(f"/admin/invoicing/product/{mine.pk}/change/").status_code == 200
    assert (
        admin_client.get(f"/admin/invoicing/product/{theirs.pk}/change/").status_code == 302
    )  # not found here


def test_add_a_product_with_taxes(admin_client, workspace):
    vat = TaxFactory(workspace=workspace)

    response = admin_client.post("/admin/invoicing/product/add/", product_form(taxes=[vat.pk], sku="COF-1"))

    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get()
    assert (product.workspace, product.sku, product.price, list(product.taxes.all())) == (
        workspace,
        "COF-1",
        Decimal("12.5"),
        [vat],
    )


def test_the_admin_applies_the_api_rules(admin_client, workspace):
    taxes = TaxFactory.create_batch(3, workspace=workspace)
    inclusive = TaxFactory(workspace=workspace, inclusive=True)
    ProductFactory(workspace=workspace, sku="TAKEN")

    for fields, field in (
        ({"taxes": [t.pk for t in taxes]}, "taxes"),
        ({"taxes": [taxes[0].pk, inclusive.pk]}, "taxes"),
        ({"sku": "TAKEN"}, "sku"),
        ({"price": "-1"}, "price"),
    ):
        response = admin_client.post("/admin/invoicing/product/add/", product_form(**fields))
        assert response.status_code == 200, fields  # the form again, with its errors
        assert list(response.context["adminform"].form.errors) == [field]
    assert Product.objects.count() == 1


def test_the_ledger_is_read_only(admin_client, workspace, store):
    product = ProductFactory(workspace=workspace)
    stock_adjust(
        workspace=workspace, store=store, product=product, quantity=Decimal(5), reason="count", actor=None
    )
    movement = StockMovement.objects.get()

    assert admin_client.get("/admin/invoicing/stockmovement/add/").status_code == 403
    assert admin_client.get(f"/admin/invoicing/stockmovement/{movement.pk}/change/").status_code == 200
    assert (
        admin_client.post(
            f"/admin/invoicing/stockmovement/{movement.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert StockMovement.objects.count() == 1


def test_staff_without_catalog_permission_only_reads(workspace):
    user = make_staff(workspace, admin_access=True)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    assert client.get("/admin/invoicing/product/").status_code == 200
    assert client.get("/admin/invoicing/product/add/").status_code == 403
