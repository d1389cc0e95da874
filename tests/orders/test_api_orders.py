"""`POST /orders`, `GET /orders`, `GET /orders/:id`, `POST /orders/:id/cancel` (PRODUCT.md section 7)."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderLineItem
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from tests.orders.conftest import make_order

pytestmark = pytest.mark.django_db


def test_create_an_order(api, workspace, store, product, vat):
    customer = ClientFactory(workspace=workspace, name="مطعم النخيل")
    response = api.post(
        "/orders",
        {
            "clientId": str(customer.pk),
            "lineItems": [
                {"productId": product.pk, "name": "Arabic coffee", "quantity": 30, "unitPrice": "12.5"},
                {"name": "Delivery", "quantity": "1", "unitPrice": 20, "discount": "5", "taxIds": []},
            ],
            "metaFields": [{"key": "ref", "value": "A-1"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    coffee, delivery = OrderLineItem.objects.order_by("pk")
    body = response.json()
    data = body["data"]
    assert body == {
        "success": True,
        "data": {
            "id": str(order.pk),
            "entityId": str(workspace.pk),
            "clientId": str(customer.pk),
            "storeId": str(store.pk),  # the workspace's first store when none is named
            "status": "open",
            "lineItems": [
                {
                    "id": str(coffee.pk),
                    "productId": str(product.pk),
                    "name": "Arabic coffee",
                    "quantity": 30,
                    "unitPrice": 12.5,
                    "discount": 0,
                    "taxIds": [str(vat.pk)],  # the product's taxes when none are named
                    "invoicedQuantity": 0,
                },
                {
                    "id": str(delivery.pk),
                    "productId": None,
                    "name": "Delivery",
                    "quantity": 1,
                    "unitPrice": 20,
                    "discount": 5,
                    "taxIds": [],
                    "invoicedQuantity": 0,
                },
            ],
            "total": 446.25,  # 375 + VAT 56.25 + (20 − 5)
            "metaFields": [{"key": "ref", "value": "A-1"}],
            "createdAt": data["createdAt"],
            "updatedAt": data["updatedAt"],
        },
        "message": "Order created successfully",
    }
    assert order.total == Decimal("446.25")


def test_an_order_without_client_or_meta_fields_writes_null_and_empty(api):
    response = api.post(
        "/orders", {"lineItems": [{"name": "Tea", "quantity": 2, "unitPrice": 8}]}, format="json"
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["clientId"], data["metaFields"], data["total"]) == (None, [], 16)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Validation error: lineItems is required"),
        ({"lineItems": []}, "Validation error: lineItems.non_field_errors: This list may not be empty."),
        ({"lineItems": [{"quantity": 1, "unitPrice": 1}]}, "Validation error: lineItems.0.name is required"),
        (
            {"lineItems": [{"name": "x", "quantity": 0, "unitPrice": 1}]},
            "Validation error: lineItems.0.quantity: The quantity must be more than zero.",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": 1, "unitPrice": -1}]},
            "Validation error: lineItems.0.unitPrice: The unit price must be zero or more.",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": 2, "unitPrice": 5, "discount": "10.01"}]},
            "Validation error: lineItems.0.discount: The discount cannot exceed the line amount.",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": 2, "unitPrice": 5, "discount": "0.001"}]},
            "Validation error: lineItems.0.discount: The discount must be zero or more, with at most 2 decimal places.",
        ),
        (
            {
                "lineItems": [{"name": "x", "quantity": 1, "unitPrice": 1}],
                "clientId": "507f1f77bcf86cd799439011",
            },
            "Validation error: clientId: A valid id is required.",
        ),
        (
            {"lineItems": [{"name": "x", "quantity": 1, "unitPrice": 1}], "metaFields": "x"},
            'Validation error: metaFields: Expected a list of items but got type "str".',
        ),
    ],
)
def test_bad_orders_are_400(api, body, message):
    response = api.post("/orders", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert not Order.objects.exists()


def test_a_line_mixing_inclusive_and_exclusive_taxes_is_400(api, workspace, vat):
    included = TaxFactory(workspace=workspace, rate=Decimal("5"), inclusive=True)
    line = {"name": "x", "quantity": 1, "unitPrice": 1, "taxIds": [vat.pk, included.pk]}
    response = api.post("/orders", {"lineItems": [line]}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Validation error: lineItems.0.taxes: A line cannot mix tax-inclusive and tax-exclusive taxes.",
    }


@pytest.mark.parametrize("what", ["client", "product", "tax"])
def test_another_workspaces_client_product_or_tax_is_404(api, other_workspace, what):
    line = {"name": "x", "quantity": 1, "unitPrice": 1}
    body = {"lineItems": [line]}
    if what == "client":
        body["clientId"] = str(ClientFactory(workspace=other_workspace).pk)
    elif what == "product":
        line["productId"] = str(ProductFactory(workspace=other_workspace).pk)
    else:
        line["taxIds"] = [str(TaxFactory(workspace=other_workspace).pk)]
    response = api.post("/orders", body, format="json")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": f"{what.capitalize()} not found."}
    assert not Order.objects.exists()


def test_get_an_order_and_the_list(api, workspace, owner, other_workspace, other_owner):
    first = make_order(workspace, owner, [("Tea", "1", "8", "0")])
    second = make_order(workspace, owner, [("Coffee", "2", "12", "1")])
    make_order(other_workspace, other_owner, [("Foreign", "1", "1", "0")])

    detail = api.get(f"/orders/{first.pk}").json()
    assert list(detail) == ["success", "data"] and detail["data"]["id"] == str(first.pk)
    listed = api.get("/orders").json()
    assert [row["id"] for row in listed["data"]] == [str(second.pk), str(first.pk)]
    assert listed["nextCursor"] is None and listed["success"] is True
    assert listed["data"][1] == detail["data"]


def test_an_unknown_or_foreign_order_is_404(api, other_workspace, other_owner):
    foreign = make_order(other_workspace, other_owner, [("Foreign", "1", "1", "0")])
    for path in (f"/orders/{foreign.pk}", "/orders/999999"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {"success": False, "message": "Order not found"}
    response = api.post(f"/orders/{foreign.pk}/cancel", format="json")
    assert response.status_code == 404
    assert Order.objects.get(pk=foreign.pk).status == "open"


def test_cancel_an_order(api, workspace, owner):
    order = make_order(workspace, owner, [("Tea", "1", "8", "0")])
    response = api.post(f"/orders/{order.pk}/cancel", format="json")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    assert "message" not in response.json()
    # Cancelling again changes nothing
    again = api.post(f"/orders/{order.pk}/cancel", format="json")
    assert again.status_code == 200 and again.json()["data"]["status"] == "cancelled"


def test_an_order_with_an_invoice_cannot_be_cancelled_422(api, seed_order):
    coffee = seed_order.line_items.order_by("pk").first()
    api.post(
        "/invoices",
        {"orderId": seed_order.pk, "lineItems": [{"lineItemId": coffee.pk, "quantity": 1}]},
        format="json",
    )
    response = api.post(f"/orders/{seed_order.pk}/cancel", format="json")
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "message": "Part of this order is already invoiced: it cannot be cancelled.",
    }
    assert Order.objects.get().status == "open"


def test_invoiced_quantities_show_on_the_order(api, seed_order):
    coffee = seed_order.line_items.order_by("pk").first()
    api.post(
        "/invoices",
        {"orderId": seed_order.pk, "lineItems": [{"lineItemId": coffee.pk, "quantity": "12.5"}]},
        format="json",
    )
    lines = api.get(f"/orders/{seed_order.pk}").json()["data"]["lineItems"]
    assert [line["invoicedQuantity"] for line in lines] == [12.5, 0, 0, 0, 0]
