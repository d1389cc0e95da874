"""The review's findings in the POS back office (PRODUCT.md section 3, "The admin enforces what the API
enforces"): staff with admin access and only `suppliers.view` closed the day and cancelled its drafts; a `%` in an
order status's label made the invoice list a 500. The walk of every page is `tests/test_admin_permissions.py`."""

from __future__ import annotations

import pytest

from pos import services
from pos.models import OrderStatus
from tests.conftest import make_staff
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory
from tests.pos.services_helpers import draft_with, open_day
from workspaces import codes
from workspaces.tenancy import Access

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(workspace, store, owner):
    """An open day with a draft of one coffee, made through the services as the owner."""
    access = Access(
        workspace=workspace, user=owner, membership=owner.memberships.get(workspace=workspace), api_key=None
    )
    product = ProductFactory(workspace=workspace, name="Arabic coffee", track_stock=False)
    session = open_day(workspace, access, store)
    draft = draft_with(workspace, access, store, ClientFactory(workspace=workspace), (product, "1"))
    return session, draft


def signed_in(client, workspace, *permissions):
    client.force_login(make_staff(workspace, *permissions, admin_access=True))
    return client


def test_staff_with_only_suppliers_view_can_neither_close_the_day_nor_cancel_its_drafts(
    client, workspace, day
):
    session, draft = day
    browser = signed_in(client, workspace, codes.SUPPLIERS_VIEW)

    listing = browser.get("/admin/pos/businesssession/")
    closing = browser.post(
        "/admin/pos/businesssession/",
        {"action": "close_days_cancelling_drafts", "_selected_action": [session.pk], "index": "0"},
    )
    page = browser.post(f"/admin/pos/businesssession/{session.pk}/close-day/", {"cancel_drafts": "on"})
    cancelling = browser.post(
        "/admin/pos/posinvoice/", {"action": "cancel_invoices", "_selected_action": [draft.pk], "index": "0"}
    )

    assert listing.status_code == 200  # every member reads the days, as in the API
    assert "close_days" not in listing.content.decode()  # the actions are not even offered
    assert (page.status_code, cancelling.status_code) == (403, 403)
    assert closing.status_code == 200  # no action offered: the list again, nothing run
    session.refresh_from_db()
    draft.refresh_from_db()
    assert (session.status, draft.status) == ("open", "draft")


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_percent_sign_in_an_order_status_label_is_text(client, workspace, owner, day, language):
    _session, draft = day
    discount = OrderStatus.objects.create(workspace=workspace, label_ar="خصم 50%", label_en="50% off")
    client.force_login(owner)
    client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})

    listing = client.get("/admin/pos/posinvoice/")
    response = client.post(
        "/admin/pos/posinvoice/",
        {"action": f"set_order_status_{discount.pk}", "_selected_action": [draft.pk], "index": "0"},
    )

    assert listing.status_code == 200
    label = "خصم 50%" if language == "ar" else "50% off"
    assert f"{label}</option>" in listing.content.decode()
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.order_status == discount


def test_voiding_from_the_admin_needs_the_void_permission_too(client, workspace, store, owner):
    access = Access(
        workspace=workspace, user=owner, membership=owner.memberships.get(workspace=workspace), api_key=None
    )
    product = ProductFactory(workspace=workspace, track_stock=False)
    open_day(workspace, access, store)
    sale = draft_with(workspace, access, store, ClientFactory(workspace=workspace), (product, "1"))
    services.invoice_complete(invoice=sale, access=access, payments=None)
    action = {"action": "cancel_invoices", "_selected_action": [sale.pk], "index": "0"}

    refused = signed_in(client, workspace, codes.STORE_ORDERS_MANAGE).post(
        "/admin/pos/posinvoice/", action, follow=True
    )
    sale.refresh_from_db()
    assert sale.status == "completed"
    assert "You need the permission pos.invoices.void." in refused.content.decode()

    signed_in(client, workspace, codes.STORE_ORDERS_MANAGE, codes.POS_INVOICES_VOID).post(
        "/admin/pos/posinvoice/", action
    )
    sale.refresh_from_db()
    assert sale.status == "cancelled"
