"""Orders in the back office: the same services as the API, refusals as messages, only the workspace's rows."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderInvoice
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory
from tests.orders.conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def inline(rows):
    data = {
        "line_items-TOTAL_FORMS": str(len(rows)),
        "line_items-INITIAL_FORMS": "0",
        "line_items-MIN_NUM_FORMS": "0",
        "line_items-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"line_items-{index}-{key}": value for key, value in row.items()})
    return data


def test_create_an_order_in_the_admin_goes_through_the_service(admin_client, workspace, owner, vat):
    customer = ClientFactory(workspace=workspace)
    coffee = ProductFactory(workspace=workspace, name="Arabic coffee", taxes=[vat])
    response = admin_client.post(
        "/admin/orders/order/add/",
        {
            "client": customer.pk,
            **inline(
                [
                    {
                        "product": coffee.pk,
                        "name": "Arabic coffee",
                        "quantity": "2",
                        "unit_price": "12",
                        "discount": "4",
                    },
                    {"product": "", "name": "Delivery", "quantity": "1", "unit_price": "10", "discount": "0"},
                ]
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url != "/admin/orders/order/add/", [str(m) for m in response.wsgi_request._messages]
    order = Order.objects.get()
    # (24 − 4) + VAT 3.00 (the product's tax, as the API takes it) + 10 = 33.00
    assert (order.workspace, order.client, order.total, order.created_by) == (
        workspace,
        customer,
        Decimal("33"),
        owner,
    )
    assert order.line_items.count() == 2


def test_a_refused_order_is_a_message_not_a_500(admin_client, workspace):
    response = admin_client.post(
        "/admin/orders/order/add/",
        {"client": "", **inline([{"name": "x", "quantity": "1", "unit_price": "5", "discount": "9"}])},
        follow=True,
    )
    assert response.status_code == 200
    assert "The discount cannot exceed the line amount." in response.content.decode()
    assert not Order.objects.exists()


def test_create_invoice_action_and_cancel_refusal(admin_client, workspace, owner, seed_order):
    changelist = "/admin/orders/order/"
    admin_client.post(changelist, {"action": "create_invoices", "_selected_action": [seed_order.pk]})
    invoice = OrderInvoice.objects.get()
    assert invoice.total == Decimal("3684.78") and invoice.created_by == owner

    again = admin_client.post(
        changelist, {"action": "create_invoices", "_selected_action": [seed_order.pk]}, follow=True
    )
    assert "Order already fully invoiced" in again.content.decode()
    cancel = admin_client.post(
        changelist, {"action": "cancel_orders", "_selected_action": [seed_order.pk]}, follow=True
    )
    assert "it cannot be cancelled" in cancel.content.decode()
    assert Order.objects.get().status == "open"


def test_cancel_action(admin_client, workspace, owner):
    order = make_order(workspace, owner, [("Tea", "1", "8", "0")])
    admin_client.post("/admin/orders/order/", {"action": "cancel_orders", "_selected_action": [order.pk]})
    assert Order.objects.get().status == "cancelled"


def test_pages_show_only_the_workspaces_rows_and_invoices_are_read_only(
    admin_client, workspace, owner, other_workspace, other_owner
):
    mine = make_order(
        workspace,
        owner,
        [("Tea", "1", "8", "0")],
        client_id=ClientFactory(workspace=workspace, name="Mine Client").pk,
    )
    foreign = make_order(
        other_workspace,
        other_owner,
        [("Foreign", "1", "1", "0")],
        client_id=ClientFactory(workspace=other_workspace, name="Foreign Client").pk,
    )
    from orders import services
    from tests.orders.conftest import access_of

    invoice = services.order_invoice_create(
        workspace=workspace, access=access_of(workspace, owner), order_id=mine.pk, lines=None, meta_fields=[]
    )
    page = admin_client.get("/admin/orders/order/").content.decode()
    assert "Mine Client" in page and "Foreign Client" not in page
    assert admin_client.get(f"/admin/orders/order/{foreign.pk}/change/").status_code == 302  # not theirs
    assert admin_client.get(f"/admin/orders/order/{mine.pk}/change/").status_code == 200
    assert admin_client.get("/admin/orders/order/add/").status_code == 200

    assert admin_client.get("/admin/orders/orderinvoice/").status_code == 200
    detail = admin_client.get(f"/admin/orders/orderinvoice/{invoice.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert "Tea" in detail.content.decode()  # its lines, read-only
    # Every read-only page's way back reads as one (the shared submit line), never "Close".
    assert (
        "Back to the order invoices" in detail.content.decode() and ">Close<" not in detail.content.decode()
    )
    assert admin_client.get("/admin/orders/orderinvoice/add/").status_code == 403
