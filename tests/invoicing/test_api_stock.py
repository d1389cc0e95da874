from decimal import Decimal

import pytest

from invoicing.models import StockLevel, StockMovement
from tests.conftest import client_for, make_staff
from tests.factories import StoreFactory, owner_access
from tests.invoicing.factories import ProductFactory, StockLevelFactory
from tests.invoicing.helpers import body
from workspaces.services import api_key_create

pytestmark = pytest.mark.django_db


def stock_url(workspace, store) -> str:
    return f"/v1/workspace/{workspace.pk}/stores/{store.pk}/stock"


def adjust_url(workspace, store) -> str:
    return f"/v1/workspace/{workspace.pk}/stores/{store.pk}/stock-adjustments"


@pytest.fixture
def product(workspace):
    return ProductFactory(workspace=workspace, name="Arabic coffee")


# --- GET .../stock -------------------------------------------------------------------------------------------


def test_list_stock_of_a_store(workspace, store, staff, other_workspace):
    coffee = StockLevelFactory(workspace=workspace, store=store, quantity=Decimal("12.500"))
    tea = StockLevelFactory(workspace=workspace, store=store, quantity=Decimal("-2"))
    StockLevelFactory(workspace=workspace, store=StoreFactory(workspace=workspace))  # another store
    StockLevelFactory(workspace=other_workspace)

    response = client_for(staff).get(stock_url(workspace, store))  # any member reads

    assert response.status_code == 200
    assert body(response) == {
        "stock": [
            {"productId": str(tea.product_id), "storeId": str(store.pk), "quantity": Decimal(-2)},
            {"productId": str(coffee.product_id), "storeId": str(store.pk), "quantity": Decimal("12.5")},
        ],
        "nextCursor": None,
    }
    assert b'"quantity":-2}' in response.content
    assert b'"quantity":12.5}' in response.content


def test_list_stock_of_an_empty_store(owner_client, workspace, store):
    assert owner_client.get(stock_url(workspace, store)).json() == {"stock": [], "nextCursor": None}


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_count_does_not_grow(owner_client, workspace, store, django_assert_num_queries, rows):
    StockLevelFactory.create_batch(rows, workspace=workspace, store=store)
    with django_assert_num_queries(3):  # the member (one query), the store, the page
        response = owner_client.get(stock_url(workspace, store))
    assert len(response.json()["stock"]) == rows


def test_another_workspaces_store_is_404(owner_client, workspace, other_workspace):
    theirs = StockLevelFactory(workspace=other_workspace)
    response = owner_client.get(stock_url(workspace, theirs.store))
    assert response.status_code == 404
    assert response.json() == {"message": "Store not found.", "code": "not_found"}


# --- POST .../stock-adjustments ------------------------------------------------------------------------------


def test_adjust_creates_the_level_and_a_movement(owner_client, owner, workspace, store, product):
    response = owner_client.post(
        adjust_url(workspace, store), {"productId": str(product.pk), "quantity": "5.5", "reason": "جرد"}
    )

    assert response.status_code == 201, response.content
    assert body(response) == {
        "stockLevel": {"productId": str(product.pk), "storeId": str(store.pk), "quantity": Decimal("5.5")}
    }
    assert StockLevel.objects.get(store=store, product=product).quantity == Decimal("5.5")
    movement = StockMovement.objects.get()
    assert (movement.delta, movement.direction, movement.reason, movement.note) == (
        Decimal("5.5"),
        "adjust",
        "adjustment",
        "جرد",
    )
    assert (movement.created_by, movement.api_key, movement.source_type, movement.source_id) == (
        owner,
        None,
        "",
        None,
    )


def test_adjust_takes_out_of_an_existing_level(owner_client, workspace, store, product):
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal(10))
    response = owner_client.post(
        adjust_url(workspace, store), {"productId": product.pk, "quantity": -4, "reason": "damaged"}
    )
    assert response.status_code == 201
    assert body(response)["stockLevel"]["quantity"] == Decimal(6)


def test_below_zero_is_422_and_changes_nothing(owner_client, workspace, store, product):
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal(3))

    response = owner_client.post(
        adjust_url(workspace, store), {"productId": product.pk, "quantity": "-3.5", "reason": "x"}
    )

    assert response.status_code == 422
    assert body(response) == {
        "message": "Not enough stock of: Arabic coffee.",
        "code": "insufficient_stock",
        "details": {
            "products": [{"productId": str(product.pk), "requested": Decimal("3.5"), "available": Decimal(3)}]
        },
    }
    assert StockLevel.objects.get().quantity == 3
    assert not StockMovement.objects.exists()


def test_below_zero_is_allowed_when_the_workspace_allows_negative_stock(
    owner_client, workspace, store, product
):
    workspace.allow_negative_stock = True
    workspace.save()
    response = owner_client.post(
        adjust_url(workspace, store), {"productId": product.pk, "quantity": -2, "reason": "x"}
    )
    assert response.status_code == 201
    assert body(response)["stockLevel"]["quantity"] == Decimal(-2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "0.000"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": "1e13"}, "quantity"),
        ({"productId": "abc"}, "productId"),
        ({"productId": "507f1f77bcf86cd799439011"}, "productId"),
        ({"productId": None}, "productId"),
        ({"reason": ""}, "reason"),
        ({"reason": 5}, "reason"),
        ({"reason": "x" * 256}, "reason"),
    ],
)
def test_adjust_validation(owner_client, workspace, store, product, change, field):
    response = owner_client.post(
        adjust_url(workspace, store), {"productId": product.pk, "quantity": 1, "reason": "x", **change}
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert not StockMovement.objects.exists()


def test_adjust_missing_fields(owner_client, workspace, store):
    response = owner_client.post(adjust_url(workspace, store), {})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"productId", "quantity", "reason"}


def test_a_foreign_or_unknown_product_is_404(owner_client, workspace, store, other_workspace):
    theirs = ProductFactory(workspace=other_workspace)
    for product_id in (theirs.pk, 999_999):
        response = owner_client.post(
            adjust_url(workspace, store), {"productId": product_id, "quantity": 1, "reason": "x"}
        )
        assert response.status_code == 404
        assert response.json() == {"message": "Product not found.", "code": "not_found"}
    assert not StockLevel.objects.exists()


def test_a_foreign_store_is_404(owner_client, workspace, product, other_workspace):
    theirs = StoreFactory(workspace=other_workspace)
    response = owner_client.post(
        adjust_url(workspace, theirs), {"productId": product.pk, "quantity": 1, "reason": "x"}
    )
    assert response.status_code == 404
    assert not StockLevel.objects.exists()


def test_staff_with_catalog_permission_adjusts(workspace, store, product):
    user = make_staff(workspace, "catalog.manage")
    response = client_for(user).post(
        adjust_url(workspace, store), {"productId": product.pk, "quantity": 1, "reason": "x"}
    )
    assert response.status_code == 201
    assert StockMovement.objects.get().created_by == user


def test_an_api_key_adjusts_and_is_recorded(workspace, store, product):
    api_key, raw = api_key_create(workspace=workspace, access=owner_access(workspace), name="sync")
    response = client_for(api_key=raw).post(
        adjust_url(workspace, store), {"productId": product.pk, "quantity": 1, "reason": "x"}
    )
    assert response.status_code == 201
    movement = StockMovement.objects.get()
    assert (movement.api_key, movement.created_by) == (api_key, None)


def test_a_retried_adjustment_is_applied_once(owner_client, workspace, store, product):
    payload = {"productId": product.pk, "quantity": 2, "reason": "delivery"}
    first = owner_client.post(adjust_url(workspace, store), payload, HTTP_IDEMPOTENCY_KEY="adj-1")
    again = owner_client.post(adjust_url(workspace, store), payload, HTTP_IDEMPOTENCY_KEY="adj-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert StockLevel.objects.get().quantity == 2
    assert StockMovement.objects.count() == 1
