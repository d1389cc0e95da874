"""PRODUCT.md section 5 rules for items, discounts, completion and cancellation."""

from decimal import Decimal

import pytest

from invoicing.models import StockMovement
from pos.models import PosInvoiceEvent
from tests.conftest import client_for, make_staff
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from tests.invoicing.helpers import body
from tests.pos.conftest import stock_of, stocked_product
from workspaces import codes

pytestmark = pytest.mark.django_db


def add_item(api, url, product, quantity, **extra):
    return api.post(
        f"{url}/items", {"productId": str(product.pk), "quantity": quantity, **extra}, format="json"
    )


@pytest.fixture
def draft(new_invoice, invoices_url):
    invoice = new_invoice()
    return f"{invoices_url}/{invoice['id']}"


# --- Items ---------------------------------------------------------------------------------------------------


def test_add_item_answers_201_with_the_invoice_and_new_totals(cashier_client, draft, workspace, store, vat):
    latte = stocked_product(workspace, store, price="12.50", taxes=[vat], name="لاتيه", sku="LAT")
    response = add_item(cashier_client, draft, latte, "2", note="بدون سكر")

    assert response.status_code == 201
    invoice = body(response)["invoice"]
    (item,) = invoice["items"]
    assert item == {
        "id": item["id"],
        "productId": str(latte.pk),
        "name": "لاتيه",
        "sku": "LAT",
        "quantity": Decimal("2"),
        "unitPrice": Decimal("12.5"),
        "subtotal": Decimal("25"),
        "discountAmount": Decimal("0"),
        "taxAmount": Decimal("3.75"),
        "total": Decimal("25"),
        "note": "بدون سكر",
    }
    assert (invoice["subtotal"], invoice["taxTotal"], invoice["total"]) == (
        Decimal("25"),
        Decimal("3.75"),
        Decimal("28.75"),
    )


def test_each_post_adds_a_new_line_even_for_the_same_product(cashier_client, draft, coffee):
    add_item(cashier_client, draft, coffee, 1)
    invoice = add_item(cashier_client, draft, coffee, 1).json()["invoice"]
    assert len(invoice["items"]) == 2
    assert invoice["total"] == 20


def test_unit_price_overrides_the_products_price(cashier_client, draft, coffee):
    invoice = add_item(cashier_client, draft, coffee, 3, unitPrice="0.335").json()["invoice"]
    assert invoice["items"][0]["subtotal"] == 1.01  # 1.005 rounded half-up


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"quantity": "x"}, "quantity"),
        ({"quantity": 1, "unitPrice": "1.23456"}, "unitPrice"),
        ({"quantity": 1, "unitPrice": -1}, "unitPrice"),
        ({"quantity": 1, "note": 5}, "note"),
        ({}, "quantity"),
    ],
)
def test_item_validation(cashier_client, draft, coffee, payload, field):
    response = cashier_client.post(f"{draft}/items", {"productId": coffee.pk, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_item_with_a_malformed_or_foreign_product(cashier_client, draft, other_workspace):
    bad = cashier_client.post(
        f"{draft}/items", {"productId": "507f1f77bcf86cd799439011", "quantity": 1}, format="json"
    )
    assert bad.status_code == 400
    foreign = ProductFactory(workspace=other_workspace)
    assert add_item(cashier_client, draft, foreign, 1).status_code == 404


def test_change_and_remove_an_item(cashier_client, draft, coffee):
    invoice = add_item(cashier_client, draft, coffee, 1).json()["invoice"]
    item_id = invoice["items"][0]["id"]
    changed = cashier_client.patch(f"{draft}/items/{item_id}", {"quantity": 3, "note": "كبير"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["invoice"]["items"][0]["quantity"] == 3
    assert changed.json()["invoice"]["total"] == 30
    removed = cashier_client.delete(f"{draft}/items/{item_id}")
    assert removed.status_code == 200
    assert removed.json()["invoice"]["items"] == []
    assert removed.json()["invoice"]["total"] == 0
    assert cashier_client.delete(f"{draft}/items/{item_id}").status_code == 404


def test_change_item_validation(cashier_client, draft, coffee):
    item_id = add_item(cashier_client, draft, coffee, 1).json()["invoice"]["items"][0]["id"]
    response = cashier_client.patch(f"{draft}/items/{item_id}", {"quantity": 0}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]


def test_line_taxes_are_fixed_when_added(cashier_client, draft, workspace, store, vat):
    juice = stocked_product(workspace, store, price="10", taxes=[vat])
    add_item(cashier_client, draft, juice, 1)
    vat.rate = Decimal("5")
    vat.save()
    assert cashier_client.get(draft).json()["invoice"]["taxTotal"] == 1.5


# --- Discounts -----------------------------------------------------------------------------------------------


def test_client_discount_line_on_creation_follows_the_items(
    cashier_client, new_invoice, invoices_url, workspace, coffee
):
    vip = ClientFactory(
        workspace=workspace,
        pos_discount_type="percent",
        pos_discount_value=Decimal("10"),
        pos_discount_active=True,
    )
    invoice = new_invoice(client=vip)
    (line,) = invoice["discounts"]
    assert line == {
        "id": line["id"],
        "source": "client",
        "type": "percent",
        "value": 10,
        "amount": 0,
        "reason": "",
    }
    url = f"{invoices_url}/{invoice['id']}"
    after_one = add_item(cashier_client, url, coffee, 2).json()["invoice"]
    assert after_one["discounts"][0]["amount"] == 2
    assert (after_one["subtotal"], after_one["discountTotal"], after_one["total"]) == (20, 2, 18)
    item_id = after_one["items"][0]["id"]
    after_change = cashier_client.patch(f"{url}/items/{item_id}", {"quantity": 5}, format="json").json()[
        "invoice"
    ]
    assert after_change["discounts"][0]["amount"] == 5
    assert after_change["total"] == 45


def test_inactive_client_discount_adds_no_line(new_invoice, workspace):
    regular = ClientFactory(
        workspace=workspace,
        pos_discount_type="percent",
        pos_discount_value=Decimal("10"),
        pos_discount_active=False,
    )
    assert new_invoice(client=regular)["discounts"] == []


def test_manual_discounts_add_up_without_compounding(cashier_client, draft, workspace, store):
    product = stocked_product(workspace, store, price="100")
    other = stocked_product(workspace, store, price="50")
    add_item(cashier_client, draft, product, 2)
    add_item(cashier_client, draft, other, 1)
    response = cashier_client.post(
        f"{draft}/discounts", {"type": "percent", "value": 10, "reason": "عرض"}, format="json"
    )
    assert response.status_code == 201
    invoice = response.json()["invoice"]
    assert invoice["total"] == 225  # 2 × 100 + 1 × 50, 10% off
    assert invoice["discounts"][0]["source"] == "manual"
    invoice = cashier_client.post(f"{draft}/discounts", {"type": "fixed", "value": 5}, format="json").json()[
        "invoice"
    ]
    assert [d["amount"] for d in invoice["discounts"]] == [25, 5]
    assert invoice["total"] == 220
    assert sum(item["discountAmount"] for item in invoice["items"]) == 30


def test_fixed_discount_is_capped_at_the_subtotal(cashier_client, draft, coffee):
    add_item(cashier_client, draft, coffee, 1)
    invoice = cashier_client.post(f"{draft}/discounts", {"type": "fixed", "value": 50}, format="json").json()[
        "invoice"
    ]
    assert (invoice["discountTotal"], invoice["total"]) == (10, 0)


def test_remove_a_discount(cashier_client, draft, coffee):
    add_item(cashier_client, draft, coffee, 1)
    discount_id = cashier_client.post(
        f"{draft}/discounts", {"type": "fixed", "value": 1}, format="json"
    ).json()["invoice"]["discounts"][0]["id"]
    response = cashier_client.delete(f"{draft}/discounts/{discount_id}")
    assert response.status_code == 200
    assert response.json()["invoice"]["discounts"] == []
    assert response.json()["invoice"]["total"] == 10
    assert cashier_client.delete(f"{draft}/discounts/{discount_id}").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "percent", "value": 101}, "value"),
        ({"type": "percent", "value": -1}, "value"),
        ({"type": "fixed", "value": "1.001"}, "value"),
        ({"type": "gift", "value": 1}, "type"),
        ({"type": "fixed"}, "value"),
    ],
)
def test_discount_validation(cashier_client, draft, payload, field):
    response = cashier_client.post(f"{draft}/discounts", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


# --- Completion ----------------------------------------------------------------------------------------------


def test_complete_deducts_stock_once_and_records_cash(cashier_client, draft, coffee, store):
    add_item(cashier_client, draft, coffee, 3)
    response = cashier_client.post(f"{draft}/complete", {}, format="json")

    assert response.status_code == 200
    invoice = response.json()["invoice"]
    assert invoice["status"] == "completed"
    assert invoice["stockDeductedAt"] is not None and invoice["completedAt"] is not None
    assert [{k: p[k] for k in ("method", "amount")} for p in invoice["payments"]] == [
        {"method": "cash", "amount": 30}
    ]
    assert invoice["changeDue"] == 0
    assert stock_of(coffee, store) == 47

    again = cashier_client.post(f"{draft}/complete", {}, format="json")
    assert again.status_code == 422
    assert again.json()["code"] == "invoice_not_draft"
    assert stock_of(coffee, store) == 47
    assert StockMovement.objects.filter(source_type="pos_invoice", direction="out").count() == 1


def test_complete_with_cash_over_the_total_gives_change(cashier_client, draft, coffee):
    add_item(cashier_client, draft, coffee, 2)  # 20
    response = cashier_client.post(
        f"{draft}/complete",
        {"payments": [{"method": "card", "amount": 5}, {"method": "cash", "amount": 20}]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["invoice"]["changeDue"] == 5


@pytest.mark.parametrize(
    "payments",
    [
        [{"method": "card", "amount": 19}],
        [{"method": "card", "amount": 25}],
        [{"method": "card", "amount": 15}, {"method": "cash", "amount": 1}],
        [{"method": "card", "amount": 30}, {"method": "cash", "amount": 1}],
        [],
    ],
)
def test_payments_must_cover_the_total_and_only_cash_may_exceed_it(
    cashier_client, draft, coffee, store, payments
):
    add_item(cashier_client, draft, coffee, 2)  # 20
    response = cashier_client.post(f"{draft}/complete", {"payments": payments}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "payment_mismatch"
    assert cashier_client.get(draft).json()["invoice"]["status"] == "draft"
    assert stock_of(coffee, store) == 50


@pytest.mark.parametrize(
    ("payments", "field"),
    [
        ([{"method": "wire", "amount": 20}], "payments.0.method"),
        ([{"method": "cash", "amount": 0}], "payments.0.amount"),
        ([{"method": "cash", "amount": "20.001"}], "payments.0.amount"),
        ([{"method": "cash"}], "payments.0.amount"),
        ("cash", "payments.non_field_errors"),
    ],
)
def test_payment_validation(cashier_client, draft, coffee, payments, field):
    add_item(cashier_client, draft, coffee, 2)
    response = cashier_client.post(f"{draft}/complete", {"payments": payments}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_completing_an_empty_invoice_is_422(cashier_client, draft):
    response = cashier_client.post(f"{draft}/complete", {}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "invoice_empty"


def test_insufficient_stock_fails_the_whole_completion(cashier_client, draft, workspace, store, coffee):
    tea = stocked_product(workspace, store, quantity="1", name="شاي")
    cake = stocked_product(workspace, store, quantity="0", name="كعك")
    add_item(cashier_client, draft, coffee, 2)
    add_item(cashier_client, draft, tea, 2)
    add_item(cashier_client, draft, cake, 1)
    response = cashier_client.post(f"{draft}/complete", {}, format="json")

    assert response.status_code == 422
    assert body(response)["code"] == "insufficient_stock"
    assert body(response)["details"] == {
        "products": [
            {"productId": str(tea.pk), "requested": Decimal("2"), "available": Decimal("1")},
            {"productId": str(cake.pk), "requested": Decimal("1"), "available": Decimal("0")},
        ]
    }
    assert (stock_of(coffee, store), stock_of(tea, store), stock_of(cake, store)) == (50, 1, 0)
    assert cashier_client.get(draft).json()["invoice"]["status"] == "draft"
    assert not PosInvoiceEvent.objects.filter(action="completed").exists()


def test_negative_stock_where_the_workspace_allows_it(cashier_client, draft, workspace, store):
    workspace.allow_negative_stock = True
    workspace.save()
    scarce = stocked_product(workspace, store, quantity="1")
    add_item(cashier_client, draft, scarce, 3)
    assert cashier_client.post(f"{draft}/complete", {}, format="json").status_code == 200
    assert stock_of(scarce, store) == -2


def test_untracked_products_move_no_stock(cashier_client, draft, workspace, store):
    service = ProductFactory(workspace=workspace, track_stock=False, price=Decimal("5"))
    add_item(cashier_client, draft, service, 4)
    assert cashier_client.post(f"{draft}/complete", {}, format="json").status_code == 200
    assert not StockMovement.objects.filter(product=service).exists()


def test_completing_after_the_session_closed_is_422(
    owner_client, cashier_client, draft, coffee, session, workspace
):
    add_item(cashier_client, draft, coffee, 1)
    # The day closed under this terminal (closing normally would have cancelled or refused our draft).
    from pos.models import BusinessSession

    BusinessSession.objects.filter(pk=session.pk).update(status="closed")
    response = cashier_client.post(f"{draft}/complete", {}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "no_open_session"


# --- Non-drafts are frozen -----------------------------------------------------------------------------------


def test_a_completed_invoice_cannot_be_edited(cashier_client, draft, coffee):
    item_id = add_item(cashier_client, draft, coffee, 1).json()["invoice"]["items"][0]["id"]
    cashier_client.post(f"{draft}/complete", {}, format="json")
    for response in (
        add_item(cashier_client, draft, coffee, 1),
        cashier_client.patch(f"{draft}/items/{item_id}", {"quantity": 2}, format="json"),
        cashier_client.delete(f"{draft}/items/{item_id}"),
        cashier_client.post(f"{draft}/discounts", {"type": "fixed", "value": 1}, format="json"),
    ):
        assert response.status_code == 422
        assert response.json()["code"] == "invoice_not_draft"
    assert cashier_client.get(draft).json()["invoice"]["total"] == 10


def test_order_status_can_change_in_any_status(owner_client, cashier_client, draft, coffee, workspace):
    status = owner_client.post(
        f"/v1/workspace/{workspace.pk}/pos/order-statuses", {"labelAr": "جاهز"}, format="json"
    ).json()["orderStatus"]
    add_item(cashier_client, draft, coffee, 1)
    cashier_client.post(f"{draft}/complete", {}, format="json")
    response = cashier_client.patch(draft, {"orderStatusId": status["id"]}, format="json")
    assert response.status_code == 200
    assert response.json()["invoice"]["orderStatusLabelAr"] == "جاهز"
    assert (
        cashier_client.patch(draft, {"orderStatusId": None}, format="json").json()["invoice"]["orderStatusId"]
        is None
    )
    assert cashier_client.patch(draft, {"orderStatusId": "x"}, format="json").status_code == 400
    assert cashier_client.patch(draft, {}, format="json").status_code == 400


def test_order_status_of_another_workspace_is_404(cashier_client, draft, other_workspace):
    from pos.models import OrderStatus

    foreign = OrderStatus.objects.create(workspace=other_workspace, label_ar="x")
    before = cashier_client.get(draft).json()["invoice"]["orderStatusId"]

    response = cashier_client.patch(draft, {"orderStatusId": foreign.pk}, format="json")

    assert response.status_code == 404
    assert response.json() == {"message": "Order status not found.", "code": "not_found"}
    assert cashier_client.get(draft).json()["invoice"]["orderStatusId"] == before


# --- Cancellation --------------------------------------------------------------------------------------------


def test_cancel_a_draft(cashier_client, draft):
    response = cashier_client.post(f"{draft}/cancel", {"reason": "طلب العميل"}, format="json")
    assert response.status_code == 200
    assert response.json()["invoice"]["status"] == "cancelled"
    assert response.json()["invoice"]["cancelledAt"] is not None
    again = cashier_client.post(f"{draft}/cancel", {}, format="json")
    assert again.status_code == 422
    assert again.json()["code"] == "invoice_not_draft"


def test_voiding_a_completed_invoice_needs_the_permission_and_restores_stock_once(
    cashier_client, draft, coffee, store, workspace
):
    add_item(cashier_client, draft, coffee, 4)
    cashier_client.post(f"{draft}/complete", {}, format="json")
    assert stock_of(coffee, store) == 46

    refused = cashier_client.post(f"{draft}/cancel", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["details"] == {"permission": "pos.invoices.void"}
    assert stock_of(coffee, store) == 46

    supervisor = client_for(make_staff(workspace, codes.STORE_ORDERS_MANAGE, codes.POS_INVOICES_VOID))
    voided = supervisor.post(f"{draft}/cancel", {"reason": "مرتجع"}, format="json")
    assert voided.status_code == 200
    assert voided.json()["invoice"]["status"] == "cancelled"
    assert stock_of(coffee, store) == 50
    again = supervisor.post(f"{draft}/cancel", {}, format="json")
    assert again.status_code == 422
    assert stock_of(coffee, store) == 50
    assert list(PosInvoiceEvent.objects.values_list("action", flat=True)) == [
        "created",
        "item_added",
        "completed",
        "voided",
    ]


def test_cancel_validation(cashier_client, draft):
    response = cashier_client.post(f"{draft}/cancel", {"reason": ["x"]}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


# --- Creation rules ------------------------------------------------------------------------------------------


def test_create_without_an_open_session_is_422(cashier_client, invoices_url, customer, store):
    response = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "no_open_session"


def test_create_after_the_session_closed_is_422(
    owner_client, cashier_client, invoices_url, customer, session, workspace
):
    owner_client.post(f"/v1/workspace/{workspace.pk}/pos/sessions/{session.pk}/close", {}, format="json")
    response = cashier_client.post(invoices_url, {"clientId": customer.pk}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "no_open_session"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "clientId"),
        ({"clientId": "507f1f77bcf86cd799439011"}, "clientId"),
        ({"clientId": "1", "storeId": "x"}, "storeId"),
    ],
)
def test_create_validation(cashier_client, invoices_url, session, payload, field):
    response = cashier_client.post(invoices_url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_create_with_a_foreign_client_is_404(cashier_client, invoices_url, session, other_workspace):
    foreign = ClientFactory(workspace=other_workspace)

    response = cashier_client.post(invoices_url, {"clientId": foreign.pk}, format="json")

    assert response.status_code == 404
    assert response.json() == {"message": "Client not found.", "code": "not_found"}
    assert cashier_client.get(invoices_url).json()["invoices"] == []


def test_several_open_sessions_need_a_store(owner_client, invoices_url, workspace, store, session, customer):
    from tests.factories import StoreFactory

    branch = StoreFactory(workspace=workspace)
    owner_client.post(f"/v1/workspace/{workspace.pk}/pos/sessions", {"storeId": branch.pk}, format="json")
    nobody = client_for(make_staff(workspace, codes.STORE_ORDERS_MANAGE))
    response = nobody.post(invoices_url, {"clientId": customer.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "store_required"
    chosen = nobody.post(invoices_url, {"clientId": customer.pk, "storeId": branch.pk}, format="json")
    assert chosen.json()["invoice"]["storeId"] == str(branch.pk)
    # A member's default store picks its session; the owner has none and must say.
    at_main = client_for(make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store))
    assert at_main.post(invoices_url, {"clientId": customer.pk}, format="json").json()["invoice"][
        "storeId"
    ] == str(store.pk)
    refused = owner_client.post(invoices_url, {"clientId": customer.pk}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "store_required")


def test_numbers_are_sequential(new_invoice):
    assert [new_invoice()["publicId"] for _ in range(3)] == ["POS-001", "POS-002", "POS-003"]


def test_tax_inclusive_prices(cashier_client, draft, workspace, store):
    inclusive = TaxFactory(workspace=workspace, rate=Decimal("15"), inclusive=True)
    product = stocked_product(workspace, store, price="115", taxes=[inclusive])
    invoice = add_item(cashier_client, draft, product, 1).json()["invoice"]
    assert (invoice["subtotal"], invoice["taxTotal"], invoice["total"]) == (115, 15, 115)


def test_deleting_a_client_with_invoices_is_409_in_use(owner_client, workspace, new_invoice, customer):
    new_invoice()
    response = owner_client.delete(f"/v1/workspace/{workspace.pk}/clients/{customer.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "in_use"
    assert owner_client.get(f"/v1/workspace/{workspace.pk}/clients/{customer.pk}").status_code == 200
