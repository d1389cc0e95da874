"""`POST /invoices`, `GET /invoices`, `GET /invoices/:id`: the rules of PRODUCT.md section 7."""

from decimal import Decimal

import pytest

from invoicing.models import StockMovement
from orders.models import OrderInvoice, OrderLineItem
from tests.invoicing.factories import TaxFactory
from tests.orders.conftest import make_order, token_client
from workspaces.models import ApiKey

pytestmark = pytest.mark.django_db


def post_invoice(api, order, line_items=None, **extra):
    body = {"orderId": str(order.pk), **extra}
    if line_items is not None:
        body["lineItems"] = [
            {"lineItemId": str(item.pk), "quantity": quantity} for item, quantity in line_items
        ]
    return api.post("/invoices", body, format="json")


def items_of(order):
    return list(OrderLineItem.objects.filter(order=order).order_by("pk"))


def test_full_invoice_takes_every_quantity_and_the_order_is_then_fully_invoiced(api, seed_order):
    response = post_invoice(api, seed_order)
    assert response.status_code == 201
    assert [line["quantity"] for line in response.json()["data"]["lineItems"]] == [30, 20, 10, 5, 2]
    assert [(item.invoiced_quantity, item.invoiced_discount) for item in items_of(seed_order)] == [
        (Decimal("30"), Decimal("0")),
        (Decimal("20"), Decimal("20")),
        (Decimal("10"), Decimal("0")),
        (Decimal("5"), Decimal("0")),
        (Decimal("2"), Decimal("0")),
    ]


def test_a_partial_invoice_then_the_rest(api, seed_order, owner):
    coffee, cappuccino, tea, croissant, dates = items_of(seed_order)

    # Given a partial invoice of 10 coffees and 5 of the 20 cappuccinos (discount 20 over 20: 5.00 of it)
    first = post_invoice(api, seed_order, [(coffee, 10), (cappuccino, "5")])
    assert first.status_code == 201, first.content
    # 10 × 50 = 500; 5 × 40 = 200 − 5 = 195; net 695; VAT 104.25; total 799.25
    assert first.json()["data"]["total"] == 799.25
    assert [line["lineItemId"] for line in first.json()["data"]["lineItems"]] == [
        str(coffee.pk),
        str(cappuccino.pk),
    ]

    # When the rest is invoiced without lineItems
    rest = post_invoice(api, seed_order)
    assert rest.status_code == 201, rest.content
    lines = rest.json()["data"]["lineItems"]
    assert [(line["lineItemId"], line["quantity"]) for line in lines] == [
        (str(coffee.pk), 20),
        (str(cappuccino.pk), 15),
        (str(tea.pk), 10),
        (str(croissant.pk), 5),
        (str(dates.pk), 2),
    ]
    # 20 × 50 = 1000; 15 × 40 = 600 − 15 (the rest of the discount) = 585; 800; 100; 24.16
    # net 2509.16; VAT 376.374 -> 376.37; total 2885.53. The two invoices add up to the order's 3684.78.
    assert rest.json()["data"]["total"] == 2885.53
    assert Decimal("799.25") + Decimal("2885.53") == seed_order.total == Decimal("3684.78")

    # Then nothing remains
    again = post_invoice(api, seed_order)
    assert again.status_code == 409
    assert again.json() == {"success": False, "message": "Order already fully invoiced"}
    assert all(item.invoiced_quantity == item.quantity for item in items_of(seed_order))
    assert items_of(seed_order)[1].invoiced_discount == Decimal("20")


def test_a_quantity_over_what_remains_is_400_and_nothing_is_invoiced(api, seed_order):
    coffee = items_of(seed_order)[0]
    assert post_invoice(api, seed_order, [(coffee, 25)]).status_code == 201
    response = post_invoice(api, seed_order, [(coffee, "5.001")])
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Validation error: lineItems.0.quantity: At most 5 remain to invoice on this line.",
    }
    assert OrderInvoice.objects.count() == 1
    assert items_of(seed_order)[0].invoiced_quantity == Decimal("25")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Validation error: lineItems.0.quantity: The quantity must be more than zero."),
        (-1, "Validation error: lineItems.0.quantity: The quantity must be more than zero."),
        (
            "1.0001",
            "Validation error: lineItems.0.quantity: Ensure that there are no more than 3 decimal places.",
        ),
        ("abc", "Validation error: lineItems.0.quantity: A valid number is required."),
    ],
)
def test_bad_quantities_are_400(api, seed_order, quantity, message):
    response = post_invoice(api, seed_order, [(items_of(seed_order)[0], quantity)])
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert not OrderInvoice.objects.exists()


def test_a_line_item_of_another_order_is_400(api, workspace, owner, seed_order):
    other = make_order(workspace, owner, [("Water", "1", "2", "0")])
    response = post_invoice(api, seed_order, [(items_of(other)[0], 1)])
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Validation error: lineItems.0.lineItemId: This is not a line item of this order.",
    }


def test_a_line_item_named_twice_is_400(api, seed_order):
    coffee = items_of(seed_order)[0]
    response = post_invoice(api, seed_order, [(coffee, 1), (coffee, 1)])
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "Validation error: lineItems.1.lineItemId: This line item is named twice.",
    }


def test_an_empty_line_item_list_is_400(api, seed_order):
    response = api.post("/invoices", {"orderId": str(seed_order.pk), "lineItems": []}, format="json")
    assert response.status_code == 400
    assert not OrderInvoice.objects.exists()


def test_a_cancelled_order_cannot_be_invoiced_422(api, seed_order):
    assert api.post(f"/orders/{seed_order.pk}/cancel", format="json").status_code == 200
    response = post_invoice(api, seed_order)
    assert response.status_code == 422
    assert response.json() == {"success": False, "message": "This order is cancelled and cannot be invoiced."}


def test_totals_with_line_discounts_and_taxes_checked_by_hand(api, workspace, owner, vat):
    # Given an exclusive 15 % VAT, an inclusive 5 % tax and a tax-free line, with absolute line discounts
    included = TaxFactory(workspace=workspace, name="Included 5%", rate=Decimal("5"), inclusive=True)
    order = make_order(
        workspace,
        owner,
        [
            ("Dates box", "3", "33.3333", "10", [vat]),  # 99.9999 -> 100.00 − 10 = 90.00; VAT 13.50
            (
                "Gift wrap",
                "7",
                "2.15",
                "1",
                [included],
            ),  # 15.05 − 1 = 14.05, tax inside: 14.05 × 5/105 = 0.669
            ("Delivery", "1", "12.5", "0"),  # 12.50, no tax
        ],
    )
    assert order.total == Decimal("130.05")  # 90 + 14.05 + 12.50 + VAT 13.50
    dates, wrap, _delivery = items_of(order)

    # When 1 of 3 boxes and 2 of 7 wraps are invoiced
    first = post_invoice(api, order, [(dates, 1), (wrap, 2)])
    # 1 × 33.3333 = 33.33 − 3.33 (10 × 1/3) = 30.00, VAT 4.50; 2 × 2.15 = 4.30 − 0.29 (1 × 2/7) = 4.01
    assert first.json()["data"]["total"] == 38.51
    invoice = OrderInvoice.objects.get(pk=first.json()["data"]["id"])
    assert (invoice.subtotal, invoice.discount_total, invoice.tax_total) == (
        Decimal("37.63"),
        Decimal("3.62"),
        Decimal("4.69"),  # 4.50 exclusive + round(4.01 × 5/105 = 0.191) 0.19 inclusive
    )

    # Then the rest takes the rest of each discount: 6.67 and 0.71
    rest = post_invoice(api, order)
    # 2 × 33.3333 = 66.67 − 6.67 = 60.00, VAT 9.00; 5 × 2.15 = 10.75 − 0.71 = 10.04; 12.50
    assert rest.json()["data"]["total"] == 91.54
    assert [item.invoiced_discount for item in items_of(order)] == [Decimal("10"), Decimal("1"), Decimal("0")]
    assert Decimal("38.51") + Decimal("91.54") == order.total


def test_created_by_a_staff_member_is_staff(clerk, seed_order):
    response = post_invoice(token_client(clerk, bearer=True), seed_order)
    assert response.status_code == 201
    assert response.json()["data"]["createdBy"] == {
        "id": str(clerk.pk),
        "name": "Khalid Clerk",
        "type": "staff",
    }


def test_created_by_an_api_key_is_admin(api_key, seed_order, workspace):
    response = post_invoice(token_client(raw=api_key, bearer=True), seed_order)
    assert response.status_code == 201
    key = ApiKey.objects.get(workspace=workspace)
    assert response.json()["data"]["createdBy"] == {
        "id": str(key.pk),
        "name": "Order platform",
        "type": "admin",
    }


def test_the_authorization_header_works_too(owner, seed_order):
    from tests.conftest import client_for

    assert post_invoice(client_for(owner), seed_order).status_code == 201


def test_meta_fields_are_echoed(api, seed_order):
    meta = [{"key": "platformRef", "value": "A-1029"}, {"key": "channel", "value": "web"}]
    response = post_invoice(api, seed_order, metaFields=meta)
    assert response.json()["data"]["metaFields"] == meta
    assert api.get(f"/invoices/{response.json()['data']['id']}").json()["data"]["metaFields"] == meta


def test_order_invoices_move_no_stock(api, workspace, owner, product):
    from orders import services
    from tests.orders.conftest import access_of

    order = services.order_create(
        workspace=workspace,
        access=access_of(workspace, owner),
        client_id=None,
        lines=[
            services.OrderLineRequest(
                name="Coffee", quantity=Decimal(4), unit_price=Decimal(12), product_id=product.pk
            )
        ],
        meta_fields=[],
    )
    assert post_invoice(api, order).status_code == 201
    assert not StockMovement.objects.exists()


def test_get_invoice_and_the_list_filtered_by_order(api, workspace, owner, seed_order):
    other = make_order(workspace, owner, [("Water", "1", "2", "0")])
    created = post_invoice(api, seed_order, [(items_of(seed_order)[0], 1)]).json()["data"]
    second = post_invoice(api, seed_order).json()["data"]
    third = post_invoice(api, other).json()["data"]

    detail = api.get(f"/invoices/{created['id']}")
    assert detail.status_code == 200
    assert detail.json() == {"success": True, "data": created}  # a GET carries no message

    everything = api.get("/invoices").json()
    assert everything == {"success": True, "data": [third, second, created], "nextCursor": None}
    filtered = api.get("/invoices", {"orderId": str(seed_order.pk)}).json()
    assert filtered == {"success": True, "data": [second, created], "nextCursor": None}

    page = api.get("/invoices", {"limit": 2}).json()
    assert [row["id"] for row in page["data"]] == [third["id"], second["id"]]
    following = api.get("/invoices", {"limit": 2, "cursor": page["nextCursor"]}).json()
    assert following == {"success": True, "data": [created], "nextCursor": None}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"orderId": "69ab24db449866373d5e3e35"}, "Validation error: orderId: A valid id is required."),
        ({"limit": "0"}, "Validation error: limit: Must be a whole number from 1 to 1000."),
        ({"cursor": "!!"}, "Validation error: cursor: Invalid cursor."),
    ],
)
def test_bad_list_parameters_are_400(api, query, message):
    response = api.get("/invoices", query)
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}


def test_unknown_invoice_is_404(api):
    response = api.get("/invoices/999999")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Invoice not found"}


def test_a_retried_post_with_its_idempotency_key_replays_and_invoices_once(api, seed_order):
    first = api.post(
        "/invoices", {"orderId": str(seed_order.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="inv-1"
    )
    again = api.post(
        "/invoices", {"orderId": str(seed_order.pk)}, format="json", HTTP_IDEMPOTENCY_KEY="inv-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert OrderInvoice.objects.count() == 1


def test_too_many_line_items_is_400(api, seed_order):
    coffee = items_of(seed_order)[0]
    lines = [{"lineItemId": str(coffee.pk), "quantity": 1}] * 501
    response = api.post("/invoices", {"orderId": str(seed_order.pk), "lineItems": lines}, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Validation error: lineItems")


def test_unknown_methods_and_paths_answer_in_the_familys_envelope(api, seed_order):
    response = api.get(f"/orders/{seed_order.pk}/cancel")
    assert response.status_code == 405
    assert response.json() == {"success": False, "message": 'Method "GET" not allowed.'}
    assert api.delete("/invoices").status_code == 405
    assert api.get("/invoices/abc").json() == {"success": False, "message": "Not found"}
