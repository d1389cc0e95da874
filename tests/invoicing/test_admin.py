from decimal import Decimal

import pytest
from django.test import Client

from invoicing.models import Product, StockMovement, Tax
from invoicing.services import stock_adjust
from tests.conftest import make_staff
from tests.invoicing.factories import ProductFactory, TaxFactory, stock_keeper

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
        workspace=workspace,
        store=store,
        product=mine,
        quantity=Decimal(5),
        reason="count",
        access=stock_keeper(workspace),
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
        workspace=workspace,
        store=store,
        product=product,
        quantity=Decimal(5),
        reason="count",
        access=stock_keeper(workspace),
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


def tax_form(**fields) -> dict:
    return {"name": "VAT", "rate": "15", **fields}


@pytest.mark.parametrize("prices_include_tax", [True, False])
def test_a_tax_added_without_its_kind_takes_the_workspaces_default(
    admin_client, workspace, prices_include_tax
):
    workspace.prices_include_tax = prices_include_tax
    workspace.save()

    response = admin_client.post("/admin/invoicing/tax/add/", tax_form(inclusive="unknown"))

    assert response.status_code == 302, response.content.decode()[:2000]
    tax = Tax.objects.get()
    assert (tax.workspace, tax.name, tax.rate, tax.inclusive) == (
        workspace,
        "VAT",
        Decimal("15"),
        prices_include_tax,
    )


def test_a_tax_added_with_its_kind_keeps_it(admin_client, workspace):
    workspace.prices_include_tax = True
    workspace.save()

    admin_client.post("/admin/invoicing/tax/add/", tax_form(inclusive="false"))

    assert Tax.objects.get().inclusive is False


def test_the_tax_admin_refuses_what_the_api_refuses(admin_client, workspace):
    for fields, field, message in (
        (tax_form(rate="101"), "rate", "A rate is a percent from 0 to 100."),
        (tax_form(rate="1.00001"), "rate", "Ensure that there are no more than 4 decimal places."),
    ):
        response = admin_client.post("/admin/invoicing/tax/add/", fields)
        assert response.status_code == 200, fields
        assert response.context["adminform"].form.errors == {field: [message]}
    assert not Tax.objects.exists()


def test_a_tax_changed_in_the_admin_goes_through_the_service(admin_client, workspace):
    vat = TaxFactory(workspace=workspace, inclusive=False, rate=Decimal("15"))
    url = f"/admin/invoicing/tax/{vat.pk}/change/"

    assert admin_client.post(url, tax_form(name="VAT 5", rate="5")).status_code == 302
    vat.refresh_from_db()
    assert (vat.name, vat.rate, vat.inclusive) == ("VAT 5", Decimal("5"), False)

    # A product carries it beside another exclusive tax: making it inclusive would mix kinds on that product.
    ProductFactory(workspace=workspace, taxes=[vat, TaxFactory(workspace=workspace, inclusive=False)])
    response = admin_client.post(url, tax_form(name="VAT 5", rate="5", inclusive="on"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "inclusive": ["A product carries this tax together with a tax of the other kind."]
    }
    vat.refresh_from_db()
    assert vat.inclusive is False


def test_a_product_edited_in_the_admin_goes_through_the_service(admin_client, workspace):
    vat, zero = TaxFactory(workspace=workspace), TaxFactory(workspace=workspace, rate=Decimal(0))
    product = ProductFactory(workspace=workspace, sku="COF-1", taxes=[vat])
    ProductFactory(workspace=workspace, sku="TAKEN", barcode="628100")
    url = f"/admin/invoicing/product/{product.pk}/change/"

    response = admin_client.post(url, product_form(sku="COF-2", barcode="", taxes=[zero.pk]))

    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert (product.sku, product.barcode, product.price, list(product.taxes.all())) == (
        "COF-2",
        None,  # a blank code is no code, as through the API
        Decimal("12.5"),
        [zero],
    )
    for fields, errors in (
        ({"sku": "TAKEN"}, {"sku": ["Another product has this SKU."]}),
        ({"barcode": "628100"}, {"barcode": ["Another product has this barcode."]}),
    ):
        response = admin_client.post(url, product_form(**fields))
        assert response.status_code == 200, fields
        assert response.context["adminform"].form.errors == errors
    product.refresh_from_db()
    assert (product.sku, product.barcode) == ("COF-2", None)
