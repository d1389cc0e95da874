"""The api2 sales invoices in the back office: the same services as the API, issued invoices read-only."""

from decimal import Decimal

import pytest
from django.test import Client

from invoicing.models import Invoice, StockLevel, StockMovement
from tests.conftest import make_staff
from tests.factories import ClientFactory, StoreFactory
from tests.invoicing.api2_helpers import item, key_client, post_invoice
from tests.invoicing.factories import ProductFactory, StockLevelFactory, TaxFactory
from workspaces import codes

pytestmark = pytest.mark.django_db

URL = "/admin/invoicing/invoice/"


@pytest.fixture
def admin_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def rows(workspace, store):
    product = ProductFactory(workspace=workspace, name="Arabic coffee")
    StockLevelFactory(workspace=workspace, store=store, product=product, quantity=Decimal("5"))
    return {
        "client": ClientFactory(workspace=workspace, name="Acme"),
        "product": product,
        "vat": TaxFactory(workspace=workspace, rate=Decimal("15")),
    }


def form(rows, store, *, items, draft=True, initial_items=0, **fields) -> dict:
    data = {
        "client": rows["client"].pk,
        "store": store.pk,
        "currency": "SAR",
        "date": "2025-03-19",
        "discount": "0",
        "discount_amount": "0",
        "notes": "",
        "po_number": "",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(initial_items),
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
        **fields,
    }
    if draft:
        data["draft"] = "on"
    for index, line in enumerate(items):
        for name, value in line.items():
            data[f"items-{index}-{name}"] = value
    return data


def line(rows, quantity="2", unit_price="100", **fields) -> dict:
    return {
        "product": rows["product"].pk,
        "quantity": quantity,
        "unit_price": unit_price,
        "discount": "0",
        "discount_type": "1",
        **fields,
    }


def api_invoice(workspace, rows, store, **fields) -> Invoice:
    body = {
        "client_id": rows["client"].pk,
        "store_id": store.pk,
        "InvoiceItem": [item(rows["product"].pk, 1)],
    }
    response = post_invoice(key_client(workspace), {"Invoice": {**body, **fields}})
    assert response.status_code == 202, response.content
    return Invoice.objects.get(pk=response.json()["id"])


def test_adding_a_draft_goes_through_the_service(admin_client, workspace, store, rows):
    response = admin_client.post(
        f"{URL}add/",
        form(rows, store, items=[line(rows, tax1=rows["vat"].pk), line(rows, "1", "50", discount="10")]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get()
    # 200 + 45 = 245, VAT 15 % on the first line only: 30; total 275.
    assert (invoice.no, invoice.draft, invoice.summary_total, invoice.summary_tax) == (
        "000001",
        True,
        275,
        30,
    )
    assert invoice.items.count() == 2
    assert not StockMovement.objects.exists()


def test_adding_an_issued_invoice_with_short_stock_is_refused_with_a_message(
    admin_client, workspace, store, rows
):
    response = admin_client.post(
        f"{URL}add/", form(rows, store, items=[line(rows, "6")], draft=False), follow=True
    )

    assert "InvoiceItem.0.quantity: insufficient stock" in response.content.decode()
    assert not Invoice.objects.exists()
    assert StockLevel.objects.get(product=rows["product"]).quantity == 5


def test_editing_a_draft_replaces_its_items_and_figures(admin_client, workspace, store, rows):
    draft = api_invoice(workspace, rows, store, draft=1)
    [old] = draft.items.all()
    data = form(
        rows, store, items=[{**line(rows, "3", "10"), "id": old.pk, "invoice": draft.pk}], initial_items=1
    )

    response = admin_client.post(f"{URL}{draft.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert (draft.summary_total, draft.date.isoformat(), draft.draft) == (30, "2025-03-19", True)
    assert [(i.quantity, i.unit_price, i.total) for i in draft.items.all()] == [(3, 10, 30)]


def test_an_issued_invoice_is_read_only(admin_client, workspace, store, rows):
    issued = api_invoice(workspace, rows, store)

    page = admin_client.get(f"{URL}{issued.pk}/change/")
    refused = admin_client.post(f"{URL}{issued.pk}/change/", form(rows, store, items=[line(rows, "1")]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "000001" in page.content.decode()
    assert refused.status_code == 403
    assert issued.items.get().quantity == 1


def test_the_issue_action_takes_the_stock_once_and_names_refusals(admin_client, workspace, store, rows):
    fits = api_invoice(workspace, rows, store, draft=1, InvoiceItem=[item(rows["product"].pk, 4)])
    too_many = api_invoice(workspace, rows, store, draft=1, InvoiceItem=[item(rows["product"].pk, 2)])

    response = admin_client.post(
        URL, {"action": "issue_drafts", "_selected_action": [fits.pk, too_many.pk]}, follow=True
    )

    fits.refresh_from_db()
    too_many.refresh_from_db()
    assert (fits.draft, too_many.draft) == (False, True)
    assert StockLevel.objects.get(product=rows["product"]).quantity == 1
    assert "Not enough stock of: Arabic coffee." in response.content.decode()


def test_every_page_shows_only_this_workspace(admin_client, workspace, store, rows, other_workspace):
    mine = api_invoice(workspace, rows, store, po_number="MINE-PO")
    other_store = StoreFactory(workspace=other_workspace, name="Theirs-store")
    other_product = ProductFactory(workspace=other_workspace, name="Theirs-product", track_stock=False)
    theirs = api_invoice(
        other_workspace,
        {"client": ClientFactory(workspace=other_workspace, name="Theirs-client"), "product": other_product},
        other_store,
        po_number="THEIRS-PO",
    )
    TaxFactory(workspace=other_workspace, name="Theirs-tax")

    listing = admin_client.get(URL).content.decode()
    add_page = admin_client.get(f"{URL}add/").content.decode()

    assert mine.no in listing and "Theirs-" not in listing
    assert "Theirs-" not in add_page and "Arabic coffee" in add_page
    assert admin_client.get(f"{URL}{theirs.pk}/change/").status_code == 302  # not found here


def test_staff_need_invoices_manage(workspace, store):
    without = Client()
    without.force_login(make_staff(workspace, admin_access=True))
    allowed = Client()
    allowed.force_login(make_staff(workspace, codes.INVOICES_MANAGE, admin_access=True))

    assert without.get(URL).status_code == 403
    assert allowed.get(URL).status_code == 200
