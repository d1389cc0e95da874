from decimal import Decimal

import pytest

from pos.models import BusinessSession, OrderStatus, PosInvoice, PosInvoiceEvent
from tests.factories import UserFactory
from tests.pos.conftest import stock_of

pytestmark = pytest.mark.django_db


def sell(cashier_client, invoices_url, invoice: dict, product, quantity: int) -> None:
    """At the till: `quantity` of `product` on the draft `invoice`, completed (paid in cash)."""
    url = f"{invoices_url}/{invoice['id']}"
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": quantity}, format="json")
    cashier_client.post(f"{url}/complete", {}, format="json")


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def test_open_the_day_from_the_admin_uses_the_service(admin_client, owner, store):
    response = admin_client.post(
        "/admin/pos/businesssession/add/",
        {"store": store.pk, "business_date": "2025-03-19", "opening_cash": "50"},
    )
    assert response.status_code == 302
    session = BusinessSession.objects.get()
    assert (session.status, session.opening_cash, session.opened_by, session.opened_by_type) == (
        "open",
        Decimal("50"),
        owner,
        "owner",
    )
    again = admin_client.post(
        "/admin/pos/businesssession/add/",
        {"store": store.pk, "business_date": "2025-03-20", "opening_cash": "0"},
        follow=True,
    )
    assert again.status_code == 200
    assert "This store already has an open business session." in again.content.decode()
    assert BusinessSession.objects.count() == 1


def test_close_action_refuses_with_drafts_then_closes_cancelling_them(admin_client, session, new_invoice):
    draft = new_invoice()
    changelist = "/admin/pos/businesssession/"
    response = admin_client.post(
        changelist, {"action": "close_days", "_selected_action": [session.pk]}, follow=True
    )
    assert f"these invoices are still drafts: {draft['publicId']}." in response.content.decode()
    session.refresh_from_db()
    assert session.status == "open"
    admin_client.post(
        changelist, {"action": "close_days_cancelling_drafts", "_selected_action": [session.pk]}
    )
    session.refresh_from_db()
    assert session.status == "closed"
    assert session.summary["invoiceCounts"] == {"draft": 0, "completed": 0, "cancelled": 1}
    assert PosInvoice.objects.get(pk=draft["id"]).status == "cancelled"


def test_cancel_action_voids_and_restores_stock(
    admin_client, cashier_client, invoices_url, new_invoice, coffee, store
):
    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 5)
    assert stock_of(coffee, store) == 45
    admin_client.post(
        "/admin/pos/posinvoice/", {"action": "cancel_invoices", "_selected_action": [invoice["id"]]}
    )
    assert PosInvoice.objects.get(pk=invoice["id"]).status == "cancelled"
    assert stock_of(coffee, store) == 50


def test_a_drafts_order_status_is_set_here_a_completed_invoice_is_read_only(
    admin_client, cashier_client, invoices_url, new_invoice, coffee, workspace
):
    draft, done = new_invoice(), new_invoice()
    sell(cashier_client, invoices_url, done, coffee, 1)
    draft_page = admin_client.get(f"/admin/pos/posinvoice/{draft['id']}/change/").content.decode()
    done_page = admin_client.get(f"/admin/pos/posinvoice/{done['id']}/change/").content.decode()
    assert 'name="order_status"' in draft_page and 'name="_save"' in draft_page
    # A completed invoice is read-only in the back office (PRODUCT.md section 9): no form field, no save button,
    # and the way back does not read "Close" (closing the day).
    assert 'name="order_status"' not in done_page and 'name="_save"' not in done_page
    assert 'name="_continue"' not in done_page and ">Close<" not in done_page
    assert "Back to the POS invoices" in done_page
    assert "قهوة عربية" in done_page  # the items inline

    ready = OrderStatus.objects.create(workspace=workspace, label_ar="جاهز", label_en="Ready", position=9)
    assert (
        admin_client.post(
            f"/admin/pos/posinvoice/{done['id']}/change/", {"order_status": ready.pk}
        ).status_code
        == 403
    )
    assert PosInvoice.objects.get(pk=done["id"]).order_status is None

    url = f"/admin/pos/posinvoice/{draft['id']}/change/"
    management = {  # the read-only inlines' management forms, as the browser sends them
        f"{inline.formset.prefix}-{name}": value
        for inline in admin_client.get(url).context["inline_admin_formsets"]
        for name, value in inline.formset.management_form.initial.items()
    }
    response = admin_client.post(url, {"order_status": ready.pk, **management})

    assert response.status_code == 302
    invoice = PosInvoice.objects.get(pk=draft["id"])
    assert (invoice.status, invoice.order_status) == ("draft", ready)
    event = PosInvoiceEvent.objects.filter(invoice=invoice).order_by("pk").last()
    assert (event.action, event.data) == ("order_status_set", {"orderStatusId": ready.pk})


def test_receipt_from_the_admin(admin_client, new_invoice):
    invoice = new_invoice()
    response = admin_client.get(f"/admin/pos/posinvoice/{invoice['id']}/receipt/")
    assert response.status_code == 200
    assert invoice["publicId"] in response.content.decode()


def test_index_shows_today(admin_client, cashier_client, invoices_url, new_invoice, coffee):
    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 2)
    new_invoice()
    html = admin_client.get("/admin/").content.decode()
    assert 'id="today"' in html
    assert "Sales so far" in html and "<bdi>20.00</bdi> SAR" in html


def test_another_workspaces_invoice_is_not_in_the_admin(client, other_owner, new_invoice):
    invoice = new_invoice()
    client.force_login(other_owner)
    assert client.get(f"/admin/pos/posinvoice/{invoice['id']}/change/").status_code == 302
    assert client.get(f"/admin/pos/posinvoice/{invoice['id']}/receipt/").status_code == 404


def test_superuser_can_void_from_the_admin(client, cashier_client, invoices_url, new_invoice, coffee, store):
    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 1)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post("/admin/pos/posinvoice/", {"action": "cancel_invoices", "_selected_action": [invoice["id"]]})
    assert PosInvoice.objects.get(pk=invoice["id"]).status == "cancelled"
    assert stock_of(coffee, store) == 50


def test_demo_has_an_open_day_statuses_and_sales(capsys):
    from django.core.management import call_command

    from pos.models import OrderStatus
    from workspaces.models import Workspace

    call_command("seed_demo", "--allow-without-debug")
    call_command("seed_demo", "--allow-without-debug")  # idempotent
    workspace = Workspace.objects.get()
    assert BusinessSession.objects.filter(workspace=workspace, status="open").count() == 1
    assert list(OrderStatus.objects.filter(workspace=workspace).values_list("label_ar", "is_default")) == [
        ("قيد التحضير", True),
        ("جاهز", False),
        ("تم التسليم", False),
    ]
    invoices = PosInvoice.objects.filter(workspace=workspace)
    assert sorted(invoices.values_list("status", flat=True)) == ["completed", "completed", "draft"]
    assert all(invoice.total > 0 for invoice in invoices)
    assert [i.public_id for i in invoices.order_by("pk")] == ["POS-001", "POS-002", "POS-003"]


def test_todays_sales_have_the_currencys_minor_digits(
    admin_client, workspace, cashier_client, invoices_url, new_invoice, coffee
):
    invoice = new_invoice()
    sell(cashier_client, invoices_url, invoice, coffee, 2)
    new_invoice()

    workspace.__class__.objects.filter(pk=workspace.pk).update(currency="KWD")  # three minor digits
    kwd = admin_client.get("/admin/").content.decode()
    workspace.__class__.objects.filter(pk=workspace.pk).update(currency="JPY")  # none
    jpy = admin_client.get("/admin/").content.decode()

    assert "<bdi>20.000</bdi> KWD" in kwd and "<bdi>20</bdi> JPY" in jpy


def test_a_completed_invoices_order_status_changes_by_action_through_the_service(
    admin_client, cashier_client, invoices_url, new_invoice, coffee, workspace, other_workspace
):
    """PRODUCT.md section 5: the order status changes in any status; section 9: the completed page stays
    read-only. One action per status of the workspace, through `invoice_set_order_status`."""
    done = new_invoice()
    sell(cashier_client, invoices_url, done, coffee, 1)
    ready = OrderStatus.objects.create(workspace=workspace, label_ar="جاهز", label_en="Ready", position=1)
    OrderStatus.objects.create(workspace=other_workspace, label_ar="غيره")
    changelist = admin_client.get("/admin/pos/posinvoice/").content.decode()
    assert f'value="set_order_status_{ready.pk}"' in changelist
    assert "غيره" not in changelist  # another workspace's status offers no action here

    response = admin_client.post(
        "/admin/pos/posinvoice/",
        {"action": f"set_order_status_{ready.pk}", "_selected_action": [done["id"]]},
    )

    assert response.status_code == 302
    invoice = PosInvoice.objects.get(pk=done["id"])
    assert (invoice.status, invoice.order_status) == ("completed", ready)
    event = PosInvoiceEvent.objects.filter(invoice=invoice).order_by("pk").last()
    assert (event.action, event.data) == ("order_status_set", {"orderStatusId": ready.pk})
