from decimal import Decimal

import pytest

from invoicing.models import Product, StockLevel
from invoicing.services import stock_adjust
from tests.conftest import client_for, make_staff
from tests.invoicing.factories import ProductFactory, TaxFactory, stock_keeper
from tests.invoicing.helpers import body, stamp

pytestmark = pytest.mark.django_db


def url(workspace, product=None) -> str:
    base = f"/v1/workspace/{workspace.pk}/products"
    return f"{base}/{product.pk}" if product else base


def expected(product: Product) -> dict:
    product.refresh_from_db()
    return {
        "id": str(product.pk),
        "workspaceId": str(product.workspace_id),
        "name": product.name,
        "nameAr": product.name_ar or None,
        "sku": product.sku,
        "barcode": product.barcode,
        "price": product.price,
        "taxIds": [str(pk) for pk in product.taxes.order_by("pk").values_list("pk", flat=True)],
        "trackStock": product.track_stock,
        "createdAt": stamp(product.created_at),
        "updatedAt": stamp(product.updated_at),
    }


@pytest.fixture
def vat(workspace):
    return TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"))


def test_create_product(owner_client, workspace, vat):
    levy = TaxFactory(workspace=workspace, name="Levy", rate=Decimal("2.5"))
    payload = {
        "name": "Arabic coffee",
        "nameAr": "قهوة عربية",
        "sku": "COF-001",
        "barcode": "6281000000011",
        "price": "12.50",
        "taxIds": [str(levy.pk), vat.pk],
        "trackStock": False,
    }

    response = owner_client.post(url(workspace), payload)

    assert response.status_code == 201, response.content
    product = Product.objects.get()
    assert body(response) == {
        "product": {
            "id": str(product.pk),
            "workspaceId": str(workspace.pk),
            "name": "Arabic coffee",
            "nameAr": "قهوة عربية",
            "sku": "COF-001",
            "barcode": "6281000000011",
            "price": Decimal("12.5"),
            "taxIds": sorted([str(vat.pk), str(levy.pk)], key=int),
            "trackStock": False,
            "createdAt": stamp(product.created_at),
            "updatedAt": stamp(product.updated_at),
        }
    }
    assert b'"price":12.5,' in response.content
    assert set(product.taxes.all()) == {vat, levy}


def test_create_with_only_the_required_fields(owner_client, workspace):
    response = owner_client.post(url(workspace), {"name": "Tea", "price": 5})

    assert response.status_code == 201
    product = Product.objects.get()
    assert body(response) == {"product": expected(product)}
    assert body(response)["product"] | {"id": None, "createdAt": None, "updatedAt": None} == {
        "id": None,
        "workspaceId": str(workspace.pk),
        "name": "Tea",
        "nameAr": None,
        "sku": None,
        "barcode": None,
        "price": Decimal(5),
        "taxIds": [],
        "trackStock": True,
        "createdAt": None,
        "updatedAt": None,
    }


def test_blank_sku_and_barcode_mean_none(owner_client, workspace):
    for name in ("A", "B"):
        response = owner_client.post(url(workspace), {"name": name, "price": 1, "sku": "  ", "barcode": ""})
        assert response.status_code == 201
        assert (response.json()["product"]["sku"], response.json()["product"]["barcode"]) == (None, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": 7}, "name"),
        ({"price": -1}, "price"),
        ({"price": "1.23456"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": None}, "price"),
        ({"price": "1e30"}, "price"),
        ({"sku": 123}, "sku"),
        ({"sku": "x" * 65}, "sku"),
        ({"barcode": False}, "barcode"),
        ({"nameAr": 1}, "nameAr"),
        ({"taxIds": "1"}, "taxIds"),
        ({"taxIds": ["abc"]}, "taxIds.0"),
        ({"taxIds": ["507f1f77bcf86cd799439011"]}, "taxIds.0"),
        ({"trackStock": "yes"}, "trackStock"),
        ({"trackStock": None}, "trackStock"),
    ],
)
def test_create_validation(owner_client, workspace, change, field):
    response = owner_client.post(url(workspace), {"name": "Tea", "price": 5, **change})

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"], response.json()
    assert not Product.objects.exists()


def test_create_missing_fields(owner_client, workspace):
    response = owner_client.post(url(workspace), {})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "price"}


def test_more_than_two_taxes_is_400(owner_client, workspace):
    taxes = TaxFactory.create_batch(3, workspace=workspace)
    response = owner_client.post(url(workspace), {"name": "Tea", "price": 5, "taxIds": [t.pk for t in taxes]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"taxIds": ["A product carries at most 2 taxes."]}
    assert not Product.objects.exists()


def test_the_same_tax_twice_is_400(owner_client, workspace, vat):
    response = owner_client.post(url(workspace), {"name": "Tea", "price": 5, "taxIds": [vat.pk, str(vat.pk)]})
    assert response.status_code == 400
    assert "taxIds" in response.json()["errors"]


def test_inclusive_and_exclusive_taxes_together_is_400(owner_client, workspace, vat):
    inclusive = TaxFactory(workspace=workspace, inclusive=True)
    response = owner_client.post(
        url(workspace), {"name": "Tea", "price": 5, "taxIds": [vat.pk, inclusive.pk]}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "taxIds": ["A product cannot carry an inclusive and an exclusive tax together."]
    }
    assert not Product.objects.exists()


def test_two_inclusive_taxes_are_allowed(owner_client, workspace):
    taxes = TaxFactory.create_batch(2, workspace=workspace, inclusive=True)
    response = owner_client.post(url(workspace), {"name": "Tea", "price": 5, "taxIds": [t.pk for t in taxes]})
    assert response.status_code == 201
    body = response.json()["product"]
    assert body["taxIds"] == [str(t.pk) for t in taxes]
    assert sorted(Product.objects.get(pk=body["id"]).taxes.values_list("pk", flat=True)) == [
        t.pk for t in taxes
    ]


def test_a_foreign_or_unknown_tax_is_404(owner_client, workspace, other_workspace, vat):
    theirs = TaxFactory(workspace=other_workspace)
    for tax_ids in ([vat.pk, theirs.pk], [999_999]):
        response = owner_client.post(url(workspace), {"name": "Tea", "price": 5, "taxIds": tax_ids})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert not Product.objects.exists()


def test_duplicate_sku_and_barcode_are_409(owner_client, workspace, other_workspace):
    ProductFactory(workspace=workspace, sku="COF-001", barcode="628100")
    ProductFactory(workspace=other_workspace, sku="TEA-001", barcode="628200")  # another workspace: no clash

    sku = owner_client.post(url(workspace), {"name": "Tea", "price": 5, "sku": "COF-001"})
    barcode = owner_client.post(url(workspace), {"name": "Tea", "price": 5, "barcode": "628100"})
    theirs = owner_client.post(
        url(workspace), {"name": "Tea", "price": 5, "sku": "TEA-001", "barcode": "628200"}
    )

    assert sku.status_code == 409
    assert sku.json() == {"message": "Another product has this SKU.", "code": "sku_taken"}
    assert barcode.status_code == 409
    assert barcode.json() == {"message": "Another product has this barcode.", "code": "barcode_taken"}
    assert theirs.status_code == 201
    assert Product.objects.filter(workspace=workspace).count() == 2


def test_get_product(workspace, staff, vat):
    product = ProductFactory(workspace=workspace, name_ar="شاي", sku="TEA", taxes=[vat])
    response = client_for(staff).get(url(workspace, product))
    assert response.status_code == 200
    assert body(response) == {"product": expected(product)}


def test_list_is_newest_first_and_only_this_workspace(workspace, staff, other_workspace, vat):
    first = ProductFactory(workspace=workspace, taxes=[vat])
    second = ProductFactory(workspace=workspace, price=Decimal("0.0001"))
    ProductFactory(workspace=other_workspace)

    response = client_for(staff).get(url(workspace))

    assert response.status_code == 200
    assert body(response) == {"products": [expected(second), expected(first)], "nextCursor": None}
    assert b'"price":0.0001,' in response.content


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_count_does_not_grow(owner_client, workspace, django_assert_num_queries, rows, vat):
    levy = TaxFactory(workspace=workspace)
    ProductFactory.create_batch(rows, workspace=workspace, taxes=[vat, levy])
    with django_assert_num_queries(3):  # the member (one query), the page, the page's taxes
        response = owner_client.get(url(workspace))
    assert len(response.json()["products"]) == rows
    assert all(len(p["taxIds"]) == 2 for p in response.json()["products"])


def test_update_product(owner_client, workspace, vat):
    product = ProductFactory(workspace=workspace, sku="OLD", price=Decimal("10"))
    levy = TaxFactory(workspace=workspace)

    response = owner_client.patch(
        url(workspace, product),
        {"name": "Mint tea", "price": "7.25", "sku": "TEA-002", "taxIds": [levy.pk, vat.pk]},
    )

    assert response.status_code == 200, response.content
    assert body(response) == {"product": expected(product)}
    assert (product.name, product.price, product.sku) == ("Mint tea", Decimal("7.25"), "TEA-002")
    assert set(product.taxes.all()) == {vat, levy}


def test_update_only_what_is_sent(owner_client, workspace, vat):
    product = ProductFactory(
        workspace=workspace, sku="S1", barcode="B1", name_ar="قهوة", taxes=[vat], track_stock=False
    )
    response = owner_client.patch(url(workspace, product), {"price": 3})
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.sku, product.barcode, product.name_ar, product.track_stock) == ("S1", "B1", "قهوة", False)
    assert list(product.taxes.all()) == [vat]


def test_update_clears_taxes_and_codes(owner_client, workspace, vat):
    product = ProductFactory(workspace=workspace, sku="S1", barcode="B1", taxes=[vat])
    response = owner_client.patch(url(workspace, product), {"taxIds": [], "sku": None, "barcode": ""})
    assert response.status_code == 200
    assert (response.json()["product"]["taxIds"], response.json()["product"]["sku"]) == ([], None)
    assert response.json()["product"]["barcode"] is None


def test_update_keeping_its_own_sku_is_fine_but_anothers_is_409(owner_client, workspace):
    product = ProductFactory(workspace=workspace, sku="S1", barcode="B1")
    ProductFactory(workspace=workspace, sku="S2", barcode="B2")

    assert owner_client.patch(url(workspace, product), {"sku": "S1", "barcode": "B1"}).status_code == 200
    sku = owner_client.patch(url(workspace, product), {"sku": "S2"})
    barcode = owner_client.patch(url(workspace, product), {"barcode": "B2"})

    assert (sku.status_code, sku.json()["code"]) == (409, "sku_taken")
    assert (barcode.status_code, barcode.json()["code"]) == (409, "barcode_taken")
    product.refresh_from_db()
    assert (product.sku, product.barcode) == ("S1", "B1")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"price": -0.01}, "price"), ({"name": ""}, "name"), ({"taxIds": [1, 2, 3]}, "taxIds")],
)
def test_update_validation(owner_client, workspace, change, field):
    product = ProductFactory(workspace=workspace, name="Tea", price=Decimal("5"))
    response = owner_client.patch(url(workspace, product), change)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    product.refresh_from_db()
    assert (product.name, product.price) == ("Tea", Decimal("5"))


def test_update_with_a_foreign_tax_is_404(owner_client, workspace, other_workspace, vat):
    product = ProductFactory(workspace=workspace, taxes=[vat])
    response = owner_client.patch(
        url(workspace, product), {"taxIds": [TaxFactory(workspace=other_workspace).pk]}
    )
    assert response.status_code == 404
    assert list(product.taxes.all()) == [vat]


def test_delete_product(owner_client, workspace, vat):
    product = ProductFactory(workspace=workspace, taxes=[vat])
    response = owner_client.delete(url(workspace, product))
    assert response.status_code == 204
    assert response.content == b""
    assert not Product.objects.exists()


def test_delete_a_product_with_stock_history_is_409_in_use(owner_client, workspace, store):
    product = ProductFactory(workspace=workspace)
    stock_adjust(
        workspace=workspace,
        store=store,
        product=product,
        quantity=Decimal(3),
        reason="count",
        access=stock_keeper(workspace),
    )

    response = owner_client.delete(url(workspace, product))

    assert response.status_code == 409
    assert response.json()["code"] == "in_use"
    assert Product.objects.filter(pk=product.pk).exists()
    assert StockLevel.objects.get().quantity == 3


def test_another_workspaces_product_is_404_and_unchanged(owner_client, workspace, other_workspace):
    theirs = ProductFactory(workspace=other_workspace, name="Theirs")

    assert owner_client.get(url(workspace, theirs)).status_code == 404
    assert owner_client.patch(url(workspace, theirs), {"name": "Mine"}).status_code == 404
    assert owner_client.delete(url(workspace, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_staff_with_catalog_permission_writes(workspace):
    api = client_for(make_staff(workspace, "catalog.manage"))
    created = api.post(url(workspace), {"name": "Tea", "price": 5})
    assert created.status_code == 201
    product = Product.objects.get()
    assert api.patch(url(workspace, product), {"price": 6}).status_code == 200
    assert api.delete(url(workspace, product)).status_code == 204


def test_also_served_under_api_v1(owner_client, workspace, store):
    product = ProductFactory(workspace=workspace)
    assert owner_client.get(f"/api/v1/workspace/{workspace.pk}/products/{product.pk}").status_code == 200
    assert owner_client.get(f"/api/v1/workspace/{workspace.pk}/taxes").status_code == 200
    assert owner_client.get(f"/api/v1/workspace/{workspace.pk}/stores/{store.pk}/stock").status_code == 200
